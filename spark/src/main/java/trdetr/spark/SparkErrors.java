package trdetr.spark;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import trdetr.cli.UserError;
import trdetr.io.FormatException;

/**
 * The one-line message of a user error (bad input: a manifest line, a feature file, an option), found in what a Spark
 * job threw. A task's exception reaches the driver wrapped in Spark's "Job aborted due to stage failure" exception, as
 * its cause when the driver could rebuild it, else only as text in that exception's message.
 */
final class SparkErrors {
    private SparkErrors() {}

    private static final Pattern IN_MESSAGE = Pattern.compile(
            "(?:trdetr\\.io\\.FormatException|trdetr\\.data\\.FeatureFiles\\$NonFiniteException|trdetr\\.cli\\.UserError): ([^\\r\\n]*)");

    /** The user error's message, or null when the failure is not one (a bug, a lost executor, ...). */
    static String userMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FormatException || t instanceof UserError || t instanceof IllegalArgumentException) return t.getMessage();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = IN_MESSAGE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) return m.group(1);
        }
        return null;
    }
}
