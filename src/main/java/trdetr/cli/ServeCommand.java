package trdetr.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import trdetr.backend.Backend;
import trdetr.backend.cpu.Parallel;
import trdetr.inference.MomentRetriever;
import trdetr.serve.SearchServer;
import trdetr.serve.VideoLibrary;
import trdetr.video.Ffmpeg;

/** {@code trdetr serve}: a web page and JSON API to add videos and search them with a sentence (see {@link SearchServer}). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a web page to add videos and find moments in them, and its JSON API (POST /api/videos, POST /api/search).",
                "Videos and their CLIP features are kept in --library, keyed by the file's content, so a restart encodes nothing again.",
                "The checkpoint must be a TR-DETR trained on CLIP-only video features (see `predict --video`)."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true) Path checkpoint;
    @Option(names = "--clip", required = true, paramLabel = "DIR", description = "The Hugging Face CLIP folder the model's features were made with.") Path clip;
    @Option(names = "--library", defaultValue = "trdetr-library", paramLabel = "DIR", description = "Where videos and features are kept (default: ${DEFAULT-VALUE}).") Path library;
    @Option(names = "--add", paramLabel = "FILE", description = "Add these videos before serving (repeatable).") List<Path> add = new ArrayList<>();
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).") String host;
    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 for a free one).") int port;
    @Option(names = "--max-upload-mb", defaultValue = "4096", description = "Refuse uploads larger than this (default: ${DEFAULT-VALUE} MiB).") long maxUploadMb;
    @Option(names = "--ffmpeg", paramLabel = "PATH", description = "The ffmpeg program or its folder (default: $TRDETR_FFMPEG, else the PATH).") Path ffmpeg;
    @Mixin DeviceOption device;
    @Option(names = "--threads") Integer threads;

    @Override public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new UserError("--port " + port + ": 0 to 65535");
        Backend backend = device.use();
        if (threads != null) Parallel.setThreads(threads);
        VerifyCommand.requireFile(checkpoint, "--checkpoint");
        MomentRetriever retriever = MomentRetriever.open(checkpoint, clip, ffmpeg, backend);
        Object modelLock = new Object();
        VideoLibrary lib = new VideoLibrary(library, Ffmpeg.locate(ffmpeg), v -> {
            synchronized (modelLock) {
                return retriever.encodeVideo(v);
            }
        }, retriever.model().config().clipLength());
        for (Path v : add) {
            VideoLibrary.Added a = lib.add(v);
            System.out.printf("%s: %s (%d clips)%n", v, a.cached() ? "already in the library" : "added", a.entry().clips());
        }
        if (maxUploadMb < 1) throw new UserError("--max-upload-mb " + maxUploadMb + ": at least 1");
        SearchServer server = new SearchServer(lib, retriever, modelLock, maxUploadMb << 20);
        int bound = server.start(host, port);
        System.out.printf("%d videos in %s; serving http://%s:%d/ (Ctrl-C stops)%n", lib.entries().size(), library.toAbsolutePath(), host, bound);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
