package trdetr.serve;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import trdetr.backend.cpu.CpuBackend;
import trdetr.inference.MomentRetriever;
import trdetr.inference.MomentRetrieverTest;
import trdetr.video.Ffmpeg;
import trdetr.video.VideoFixtures;

/** A server on a free loopback port with the fixture CLIP and a small random TR-DETR, its library in a folder. */
final class ServeFixture implements AutoCloseable {
    final Path library;
    final MomentRetriever retriever;
    final Object lock = new Object();
    final AtomicInteger encoded = new AtomicInteger();
    final VideoLibrary lib;
    final SearchServer server;
    final int port;

    ServeFixture(Path dir, Ffmpeg ffmpeg) throws Exception {
        library = dir.resolve("library");
        retriever = MomentRetriever.open(MomentRetrieverTest.smallCheckpoint(dir.resolve("small.ckpt"), 8), VideoFixtures.CLIP_DIR, null, CpuBackend.INSTANCE);
        lib = library(ffmpeg);
        server = new SearchServer(lib, retriever, lock);
        port = server.start("127.0.0.1", 0);
    }

    /** A library over the same folder (a restart), counting what it encodes. */
    VideoLibrary library(Ffmpeg ffmpeg) throws Exception {
        return new VideoLibrary(library, ffmpeg, v -> {
            encoded.incrementAndGet();
            synchronized (lock) {
                return retriever.encodeVideo(v);
            }
        }, 2);
    }

    String url(String path) { return "http://127.0.0.1:" + port + path; }

    @Override public void close() { server.close(); }
}
