package trdetr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The documents show only commands and options that exist, and link only to files that exist (issue #19).
 *
 * <p>Every command shown as {@code java [JVM options] -jar target/trdetr.jar SUBCOMMAND [options]} or
 * {@code bundle/run.sh SUBCOMMAND [options]}, in a fenced code block (with {@code \} line continuations) or an inline
 * code span, in README.md, BENCHMARKS.md and docs/*.md, must name a subcommand of {@link Main} (nested ones such as
 * {@code bench step} included), and every {@code --option} on it must be one of that subcommand's options, as
 * picocli's CommandSpec has them. {@code ...} stands for anything and is skipped; {@code [--opt x]} is an optional
 * part and is checked like the rest. The README's test command must be exactly what .ci/run runs.
 */
class ReadmeCommandsTest {
    /** The command CI runs, and the README must show as its test command. */
    private static final String TEST_COMMAND = "mvn -B install && mvn -B -f spark/pom.xml test";

    private static final Pattern JAR = Pattern.compile(
            "(?:^|\\s)java((?:\\s+\\[?-(?!jar\\b)\\S+)*)\\s+-jar\\s+\\S*trdetr\\.jar(?=\\s|$)(.*)$");
    private static final Pattern BUNDLE = Pattern.compile("(?:^|\\s)bundle/run\\.sh(?=\\s|$)(.*)$");
    /** Commands of bundle/run.sh that are not trdetr subcommands. */
    private static final Set<String> BUNDLE_OWN = Set.of("junit", "jmh");
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    /** What the checker found in a text: the commands it checked, the options it checked, and what is wrong. */
    record Report(int commands, int options, List<String> problems) {}

    /** The documents checked: README.md, BENCHMARKS.md and every docs/*.md. */
    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    // ---------------------------------------------------------------- extracting commands from Markdown

    /** The lines of the fenced code blocks, continuations joined, and the inline code spans of the rest. */
    static List<String> codeLines(String markdown) {
        List<String> lines = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        String fence = null;
        StringBuilder pending = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            if (fence == null) {
                if (trimmed.startsWith("```") || trimmed.startsWith("~~~")) {
                    fence = trimmed.substring(0, 3);
                    prose.append('\n');
                } else {
                    prose.append(line).append('\n');
                }
                continue;
            }
            if (trimmed.startsWith(fence)) {
                if (pending.length() > 0) lines.add(pending.toString());
                pending.setLength(0);
                fence = null;
                continue;
            }
            String body = stripComment(line);
            if (body.stripTrailing().endsWith("\\")) {
                String b = body.stripTrailing();
                pending.append(b, 0, b.length() - 1).append(' ');
            } else {
                pending.append(body);
                lines.add(pending.toString());
                pending.setLength(0);
            }
        }
        Matcher span = Pattern.compile("`([^`]+)`").matcher(prose);
        while (span.find()) lines.add(span.group(1).replace('\n', ' '));
        return lines;
    }

    /** A line without its shell comment ({@code #} at the start or after white space). */
    static String stripComment(String line) {
        Matcher m = Pattern.compile("(^|\\s)#").matcher(line);
        return m.find() ? line.substring(0, m.start()) : line;
    }

    /** The trdetr command lines in a code line: the words after the jar (or bundle/run.sh), one list per command. */
    static List<List<String>> commands(String codeLine) {
        List<List<String>> found = new ArrayList<>();
        for (String part : codeLine.split("&&|\\|\\||[|;]")) {
            Matcher jar = JAR.matcher(part.strip());
            Matcher bundle = BUNDLE.matcher(part.strip());
            String rest;
            if (jar.find()) rest = jar.group(2);
            else if (bundle.find()) rest = bundle.group(1);
            else continue;
            List<String> words = new ArrayList<>(List.of(rest.strip().split("\\s+")));
            words.removeIf(String::isEmpty);
            if (bundle.find(0) && !jar.find(0) && !words.isEmpty() && BUNDLE_OWN.contains(words.get(0))) continue;
            found.add(words);
        }
        return found;
    }

    // ---------------------------------------------------------------- checking them against picocli

    /** Checks every trdetr command in a Markdown text; {@code where} names the text in the problems. */
    static Report check(String markdown, String where) {
        int commands = 0, options = 0;
        List<String> problems = new ArrayList<>();
        for (String line : codeLines(markdown)) {
            for (List<String> words : commands(line)) {
                CommandLine cli = new CommandLine(new Main());
                List<String> path = new ArrayList<>();
                int i = 0;
                if (words.isEmpty() || words.get(0).startsWith("...")) continue;     // "java -jar trdetr.jar ..."
                while (i < words.size()) {
                    String w = words.get(i);
                    CommandLine sub = cli.getSubcommands().get(w);
                    if (sub != null) {
                        cli = sub;
                        path.add(w);
                        i++;
                    } else {
                        if (path.isEmpty() && !w.startsWith("-")) {
                            problems.add(where + ": `" + line.strip() + "`: no subcommand " + w);
                        }
                        break;
                    }
                }
                if (path.isEmpty() && i < words.size() && !words.get(i).startsWith("-")) continue;
                commands++;
                var known = cli.getCommandSpec().optionsMap();
                for (; i < words.size(); i++) {
                    String w = words.get(i).replaceAll("^[\\[(]+|[\\])]+$", "");
                    if (!w.matches("--?[A-Za-z][\\w-]*(=.*)?")) continue;           // values, "-1", "...", placeholders
                    String name = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
                    options++;
                    if (!known.containsKey(name)) {
                        problems.add(where + ": `" + line.strip() + "`: " + String.join(" ", path) + " has no option " + name);
                    }
                }
            }
        }
        return new Report(commands, options, problems);
    }

    // ---------------------------------------------------------------- links

    /** Relative links (and their #anchors) in a Markdown file that point nowhere. */
    static List<String> brokenLinks(Path file) throws IOException {
        List<String> broken = new ArrayList<>();
        String text = Files.readString(file);
        StringBuilder prose = new StringBuilder();
        boolean inFence = false;
        for (String line : text.split("\n", -1)) {
            if (line.strip().startsWith("```")) inFence = !inFence;
            else if (!inFence) prose.append(line.replaceAll("`[^`]*`", "")).append('\n');
        }
        Matcher m = LINK.matcher(prose);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*")) continue;                 // http:, https:, mailto:
            String pathPart = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
            String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
            Path resolved = pathPart.isEmpty() ? file : file.toAbsolutePath().getParent().resolve(pathPart).normalize();
            if (!Files.exists(resolved)) {
                broken.add(file + ": " + target + " (no such file)");
            } else if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
                broken.add(file + ": " + target + " (no such heading)");
            }
        }
        return broken;
    }

    /** GitHub's anchors of a Markdown file's headings. */
    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        boolean inFence = false;
        for (String line : Files.readAllLines(file)) {
            if (line.strip().startsWith("```")) inFence = !inFence;
            if (inFence || !line.startsWith("#")) continue;
            String title = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
            anchors.add(title.replaceAll("[^\\p{L}\\p{N}\\s_-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    // ---------------------------------------------------------------- the tests

    @Test
    void everyCommandAndOptionShownInTheDocumentsExists() throws IOException {
        int commands = 0, options = 0;
        List<String> problems = new ArrayList<>();
        for (Path doc : documents()) {
            Report r = check(Files.readString(doc), doc.toString());
            commands += r.commands();
            options += r.options();
            problems.addAll(r.problems());
        }
        System.out.println("ReadmeCommandsTest: " + commands + " commands and " + options + " options checked in "
                + documents().size() + " documents");
        assertThat(problems).isEmpty();
        assertThat(commands).as("commands found (the extraction works)").isGreaterThan(20);
        Report readme = check(Files.readString(Path.of("README.md")), "README.md");
        assertThat(readme.commands()).as("commands in README.md").isGreaterThanOrEqualTo(3);
    }

    /** The README's commands table names every subcommand (nested ones as `bench step`), and only those. */
    @Test
    void theCommandsTableListsEverySubcommand() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("## Commands"));
        section = section.substring(0, section.indexOf("\n## ", 3));
        Set<String> listed = new LinkedHashSet<>();
        for (String row : section.split("\n")) {
            if (!row.startsWith("| `")) continue;
            Matcher name = Pattern.compile("`([^`]+)`").matcher(row.split("\\|")[1]);
            while (name.find()) listed.add(name.group(1));
        }
        Set<String> actual = new LinkedHashSet<>();
        new CommandLine(new Main()).getSubcommands().forEach((name, sub) -> {
            if (sub.getSubcommands().isEmpty()) actual.add(name);
            else sub.getSubcommands().keySet().forEach(child -> actual.add(name + " " + child));
        });
        assertThat(listed).containsExactlyInAnyOrderElementsOf(actual);
    }

    @Test
    void theReadmesTestCommandIsWhatCiRuns() throws IOException {
        List<String> readmeTestCommands = codeLines(Files.readString(Path.of("README.md"))).stream()
                .map(String::strip)
                .filter(l -> l.startsWith("mvn") && l.matches(".*\\btest\\b.*") && !l.contains("-DskipTests"))
                .toList();
        assertThat(readmeTestCommands).containsExactly(TEST_COMMAND);
        List<String> ciLines = Files.readAllLines(Path.of(".ci/run")).stream().map(ReadmeCommandsTest::stripComment)
                .map(String::strip).toList();
        assertThat(ciLines).contains(TEST_COMMAND);
        assertThat(Files.readString(Path.of("README.md"))).contains("java -jar target/trdetr.jar train");
    }

    @Test
    void everyRelativeLinkPointsToAnExistingFile() throws IOException {
        List<String> broken = new ArrayList<>();
        int files = 0;
        for (Path doc : documents()) {
            broken.addAll(brokenLinks(doc));
            files++;
        }
        assertThat(files).isGreaterThanOrEqualTo(6);
        assertThat(broken).isEmpty();
    }

    // ---------------------------------------------------------------- the checker can fail

    @Test
    void aBogusOptionOrSubcommandIsCaught() {
        String text = """
                Some text.

                ```bash
                java -jar target/trdetr.jar train --train-path a.jsonl \\
                    --bsz 32 --no-such-option 3      # a comment with --not-checked
                java -jar target/trdetr.jar bench step --threads 2 --mode tf32
                java -jar target/trdetr.jar frobnicate --bsz 1
                mvn -q package -DskipTests && java -Dtrdetr.threads=1 -jar target/trdetr.jar gradcheck --op matmul
                java -jar target/trdetr.jar train ... --exp-id hl --resume [--wrong-too]
                bundle/run.sh junit --select-package trdetr
                ```

                And inline: `java -jar target/trdetr.jar eval --submission x
                --nope`.
                """;
        Report r = check(text, "sample");
        assertThat(r.problems()).hasSize(5);
        assertThat(String.join("\n", r.problems()))
                .contains("train has no option --no-such-option")
                .contains("bench step has no option --mode")
                .contains("no subcommand frobnicate")
                .contains("train has no option --wrong-too")
                .contains("eval has no option --nope")
                .doesNotContain("--not-checked").doesNotContain("--select-package");
        assertThat(r.commands()).isEqualTo(5);                     // train, bench step, gradcheck, train ..., eval
    }

    @Test
    void theRealOptionsPass() {
        String text = """
                ```bash
                java -jar target/trdetr.jar train --train-path a.jsonl \\
                    --bsz 32 --max-es-cnt -1 --fix=t2v-mask
                java -jar target/trdetr.jar memory-check --device cpu --steps 1000
                java -jar target/trdetr.jar bench gemm --device cuda --mode tf32 --tf32-variant all
                java -jar target/trdetr.jar --help
                ```
                """;
        Report r = check(text, "sample");
        assertThat(r.problems()).isEmpty();
        assertThat(r.commands()).isEqualTo(4);
        assertThat(r.options()).isEqualTo(10);
    }

    @Test
    void aBrokenLinkIsCaught() throws IOException {
        Path dir = Files.createTempDirectory("links");
        Files.writeString(dir.resolve("there.md"), "# A heading, with punctuation\n");
        Path doc = dir.resolve("doc.md");
        Files.writeString(doc, """
                [ok](there.md) [ok anchor](there.md#a-heading-with-punctuation) [web](https://example.com)
                [missing](nowhere.md) [bad anchor](there.md#nothing) `[in code](ignored.md)`
                ```
                [in a block](ignored-too.md)
                ```
                """);
        assertThat(brokenLinks(doc)).hasSize(2).anyMatch(s -> s.contains("nowhere.md (no such file)"))
                .anyMatch(s -> s.contains("there.md#nothing (no such heading)"));
    }
}
