package trdetr.spark;

import java.io.Serializable;

/**
 * Where the executors find what turns a video file into features: the CLIP folder (Hugging Face layout, tokenizer
 * included) and FFmpeg (null: TRDETR_FFMPEG or the PATH), as paths that every executor can read.
 */
public record VideoSource(String clipDir, String ffmpeg) implements Serializable {}
