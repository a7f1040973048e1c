package trdetr.video;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The FFmpeg programs ({@code ffmpeg}, {@code ffprobe}) we decode videos with, run as child processes.
 *
 * <p>Why the programs and not a JNI binding (JavaCV and the like): the extractor the released QVHighlights features
 * came from (HERO_Video_Feature_Extractor, copied into Moment-DETR's {@code run_on_video}) drives the same two programs
 * through ffmpeg-python, which only builds their command lines. Running the same command gives the same frames,
 * byte for byte with the same FFmpeg build, which no other decoder promises; and the jar stays free of 30 to 100 MB of
 * native libraries per platform. The cost is one requirement: FFmpeg installed (every package manager has it).
 *
 * <p>Where the programs are: the directory or {@code ffmpeg} path given to {@link #locate}, else the environment
 * variable {@code TRDETR_FFMPEG} (same meaning), else {@code ffmpeg} and {@code ffprobe} on the {@code PATH}.
 */
public final class Ffmpeg {
    /** Environment variable naming the ffmpeg program or the directory holding ffmpeg and ffprobe. */
    public static final String ENV = "TRDETR_FFMPEG";

    private final String ffmpeg;
    private final String ffprobe;

    private Ffmpeg(String ffmpeg, String ffprobe) {
        this.ffmpeg = ffmpeg;
        this.ffprobe = ffprobe;
    }

    /**
     * The programs at {@code where} (the ffmpeg program, or a directory holding ffmpeg and ffprobe; ffprobe is looked
     * for beside ffmpeg), or as {@link #ENV} or the {@code PATH} give them when {@code where} is null. Checks that both
     * run; a one-line {@link IOException} saying how to install FFmpeg otherwise.
     */
    public static Ffmpeg locate(Path where) throws IOException {
        String given = where != null ? where.toString() : System.getenv(ENV);
        boolean named = given != null && !given.isBlank();
        String from = where != null ? "--ffmpeg " + where : named ? ENV + "=" + given : "the PATH";
        Ffmpeg f;
        if (!named) {
            f = new Ffmpeg("ffmpeg", "ffprobe");
        } else {
            Path p = Path.of(given);
            if (!Files.exists(p)) {
                throw new IOException(from + ": no such file or folder (give the ffmpeg program or the folder holding ffmpeg and ffprobe)");
            }
            Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
            f = new Ffmpeg(Files.isDirectory(p) ? dir.resolve("ffmpeg").toString() : p.toString(), dir.resolve("ffprobe").toString());
        }
        check(f.ffmpeg, from);
        check(f.ffprobe, from);
        return f;
    }

    /** The system's FFmpeg (as {@link #locate}(null)), or null when it is not installed. */
    public static Ffmpeg systemOrNull() {
        try {
            return locate(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void check(String program, String from) throws IOException {
        String name = Path.of(program).getFileName().toString();
        Result r;
        try {
            r = run(List.of(program, "-version"));
        } catch (IOException e) {
            throw new IOException(name + " not found (looked in " + from + "): install FFmpeg (apt-get install ffmpeg, brew install ffmpeg, ...)"
                    + " or give its directory with --ffmpeg or " + ENV);
        }
        if (r.exitCode != 0) throw new IOException(name + " from " + from + " does not run (-version exited with " + r.exitCode + ")");
    }

    /**
     * A file as FFmpeg's programs should get it: the absolute path, so that a name starting with '-' is not read as an
     * option, nor one holding ':' as a protocol ("concat:", "http:").
     */
    static String fileArgument(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }

    /** A finished program's exit code, standard output and the last lines of its standard error. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        /** The last non-blank line of standard error, for a one-line message. */
        String lastErrorLine() {
            String last = "";
            for (String l : stderr.split("\n")) if (!l.isBlank()) last = l.strip();
            return last.isEmpty() ? "exit code " + exitCode : last;
        }
    }

    /** Runs a program to the end, collecting its output (for short outputs: ffprobe's JSON, -version). */
    Result probe(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffprobe);
        cmd.addAll(args);
        return run(cmd);
    }

    /** Runs ffmpeg with these arguments to the end, collecting its output (for short outputs: a still frame). */
    Result runToEnd(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffmpeg);
        cmd.addAll(args);
        return run(cmd);
    }

    /** Starts ffmpeg with these arguments; standard error is drained by a daemon thread (see {@link Running#finish}). */
    Running start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffmpeg);
        cmd.addAll(args);
        return launch(cmd);
    }

    private static Running launch(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        return new Running(p, new Drain(p.getErrorStream()));
    }

    /** Runs a program to the end, collecting all of its standard output. */
    private static Result run(List<String> cmd) throws IOException {
        try (Running r = launch(cmd)) {
            byte[] out = r.stdout().readAllBytes();
            Result done = r.finish();
            return new Result(done.exitCode(), out, done.stderr());
        }
    }

    /** Reads a stream to its end on a daemon thread, keeping its last 16 KB as text (ffmpeg's log can be long). */
    static final class Drain {
        private final StringBuilder sb = new StringBuilder();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (sb) {
                            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                            if (sb.length() > 32768) sb.delete(0, sb.length() - 16384);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended or was stopped; what was read is kept
                }
            }, "ffmpeg-stderr");
            thread.setDaemon(true);
            thread.start();
        }

        /** What was read, once the stream has ended (waits at most two seconds for its last bytes). */
        String text() throws InterruptedException {
            thread.join(2000);
            synchronized (sb) {
                return sb.toString();
            }
        }
    }

    /** A running ffmpeg: its standard output, and its standard error once it has ended. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final Drain stderr;

        Running(Process process, Drain stderr) {
            this.process = process;
            this.stderr = stderr;
        }

        InputStream stdout() { return process.getInputStream(); }

        /** Waits for the end: the exit code and standard error. */
        Result finish() throws IOException {
            try {
                return new Result(process.waitFor(), new byte[0], stderr.text());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for FFmpeg");
            }
        }

        @Override public void close() {
            if (process.isAlive()) process.destroyForcibly();
        }
    }
}
