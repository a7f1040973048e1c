package trdetr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every "spec §N.M" in the repository must name a section of {@code docs/spec.md}, and nothing may point at the
 * specification's old home outside the repository.
 *
 * <p>Files scanned: the text files ({@code .java}, {@code .md}, {@code .py}, {@code .sh}; a file holding a NUL byte
 * is taken as binary and skipped) under {@code src/main}, {@code src/test}, {@code tools}, {@code docs},
 * {@code weights} and {@code bench}, and {@code README.md} and {@code BENCHMARKS.md}; {@code target} folders are
 * skipped.
 *
 * <p>What counts as a reference to the spec:
 * <ul>
 *   <li>In {@code .java}, {@code .py} and {@code .sh} files, and in {@code docs/spec.md} itself, every "§" is one:
 *       the code has no other sections to cite.</li>
 *   <li>In every other Markdown file only a citation that starts with the word "spec" counts ("spec §6",
 *       "(spec §8.1)", "Spec §8 Q1"), because a document may number its own sections with "§" too.</li>
 *   <li>A citation goes on over lists and ranges: in "spec §5.3, §9" and "spec §2.5–2.8" every number is checked
 *       (5.3 and 9; 2.5 and 2.8).</li>
 * </ul>
 * A number "N" resolves when docs/spec.md has a heading {@code ## N.}; "N.M" when it has {@code ### N.M}.
 */
class SpecReferencesTest {
    private static final Path SPEC = Path.of("docs", "spec.md");
    private static final List<Path> ROOTS = List.of(Path.of("src", "main"), Path.of("src", "test"), Path.of("tools"),
            Path.of("docs"), Path.of("weights"), Path.of("bench"), Path.of("README.md"), Path.of("BENCHMARKS.md"));
    private static final Set<String> EXTENSIONS = Set.of(".java", ".md", ".py", ".sh");
    /** The old places of the specification, spelled in two pieces so that this file does not match itself. */
    private static final List<String> OLD_LOCATIONS = List.of("TRDETR" + ".md", "shared" + "/spec");

    /** One section number after "§", optionally the end of a range ("§2.5–2.8"). */
    private static final Pattern SECTION = Pattern.compile("§\\s?(\\d+(?:\\.\\d+)?)(?:\\s?[–-]\\s?§?(\\d+(?:\\.\\d+)?))?");
    /** What may separate two numbers of one citation: "spec §5.3, §9", "§4.8 and §6". */
    private static final Pattern NEXT = Pattern.compile("\\s*(?:,|and|/|;)\\s*(?=§)");
    /** The start of a citation in a document that may use "§" for itself: "spec §", "Spec §", "spec, §". */
    private static final Pattern CITATION = Pattern.compile("(?i)\\bspec\\b,?\\s?(?=§)");
    private static final Pattern HEADING = Pattern.compile("(?m)^(?:## (\\d+)\\.|### (\\d+\\.\\d+)) ");

    /** A reference found: where, and the section number it names. */
    record Reference(Path file, int line, String section) {
        @Override public String toString() { return file + ":" + line + ": §" + section; }
    }

    @Test
    void everySpecReferenceNamesASectionOfDocsSpec() throws IOException {
        Set<String> sections = sections(Files.readString(SPEC));
        List<Reference> refs = new ArrayList<>();
        for (Path file : textFiles()) refs.addAll(references(file, read(file)));

        List<Reference> unresolved = refs.stream().filter(r -> !sections.contains(r.section())).toList();
        System.out.println("SpecReferencesTest: " + refs.size() + " spec references checked in "
                + refs.stream().map(Reference::file).distinct().count() + " files, " + unresolved.size()
                + " unresolved");
        assertThat(unresolved).as("references to sections that docs/spec.md does not have").isEmpty();
        // The scan must see the references we know of (the code cites the spec in dozens of places).
        assertThat(refs).hasSizeGreaterThan(60);
        assertThat(refs.stream().map(Reference::file).distinct().count()).isGreaterThan(30);
    }

    @Test
    void noFileRefersToTheSpecOutsideTheRepository() throws IOException {
        List<String> hits = new ArrayList<>();
        for (Path file : textFiles()) {
            String[] lines = read(file).split("\n", -1);
            for (int i = 0; i < lines.length; i++)
                for (String old : OLD_LOCATIONS)
                    if (lines[i].contains(old)) hits.add(file + ":" + (i + 1) + ": " + lines[i].strip());
        }
        assertThat(hits).as("references to the specification outside the repository (use docs/spec.md)").isEmpty();
    }

    @Test
    void docsSpecHasEveryNumberedSection() throws IOException {
        Set<String> sections = sections(Files.readString(SPEC));
        for (int n = 1; n <= 10; n++) assertThat(sections).contains(Integer.toString(n));
        assertThat(sections).contains("2.0", "2.13", "3.3", "4.8", "5.4", "7.6", "8.1", "8.21");
    }

    /**
     * The checker itself: it finds lists, ranges and "Spec", ignores other section signs in documents, and flags
     * bogus numbers. (Its examples write the section sign as a Unicode escape, so the scan of this file skips them.)
     */
    @Test
    void theCheckerFindsAndRejects() {
        String code = "/** As in spec \u00a75.3, \u00a79 and (spec \u00a72.5–2.8); see \u00a74.7 and spec \u00a799.9. */";
        assertThat(references(Path.of("X.java"), code)).extracting(Reference::section)
                .containsExactly("5.3", "9", "2.5", "2.8", "4.7", "99.9");
        String doc = "Our own \u00a73 says so. Spec \u00a78 Q1, spec \u00a78.1; the spec, \u00a74.7.";
        assertThat(references(Path.of("docs", "other.md"), doc)).extracting(Reference::section)
                .containsExactly("8", "8.1", "4.7");
        Set<String> sections = sections("## 1. A\n### 1.1 B\n## 2. C\n");
        assertThat(sections).containsExactlyInAnyOrder("1", "1.1", "2");
        assertThat(references(Path.of("X.java"), "spec \u00a71.2 and \u00a72")).extracting(Reference::section)
                .filteredOn(s -> !sections.contains(s)).containsExactly("1.2");
    }

    /** The section numbers that docs/spec.md (or the given text) has headings for. */
    static Set<String> sections(String spec) {
        Set<String> out = new TreeSet<>();
        Matcher m = HEADING.matcher(spec);
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
        return out;
    }

    /** The spec references of one file's text, by the rules of the class comment. */
    static List<Reference> references(Path file, String text) {
        String name = file.getFileName().toString();
        boolean everySection = !name.endsWith(".md") || file.normalize().equals(SPEC);
        List<Reference> out = new ArrayList<>();
        if (everySection) {
            Matcher m = SECTION.matcher(text);
            while (m.find()) add(out, file, text, m);
        } else {
            Matcher c = CITATION.matcher(text);
            while (c.find()) {
                int pos = c.end();
                Matcher m = SECTION.matcher(text);
                while (m.region(pos, text.length()).lookingAt()) {
                    add(out, file, text, m);
                    Matcher next = NEXT.matcher(text).region(m.end(), text.length());
                    if (!next.lookingAt()) break;
                    pos = next.end();
                }
            }
        }
        return out;
    }

    private static void add(List<Reference> out, Path file, String text, Matcher m) {
        int line = 1 + (int) text.substring(0, m.start()).chars().filter(ch -> ch == '\n').count();
        out.add(new Reference(file, line, m.group(1)));
        if (m.group(2) != null) out.add(new Reference(file, line, m.group(2)));
    }

    private static List<Path> textFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : ROOTS) {
            if (!Files.exists(root)) continue;
            try (Stream<Path> s = Files.walk(root)) {
                s.filter(Files::isRegularFile)
                        .filter(p -> { for (Path part : p) if (part.toString().equals("target")) return false; return true; })
                        .filter(p -> {
                            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                            return EXTENSIONS.stream().anyMatch(n::endsWith);
                        })
                        .filter(SpecReferencesTest::isText)
                        .sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static boolean isText(Path p) {
        try {
            for (byte b : Files.readAllBytes(p)) if (b == 0) return false;
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
