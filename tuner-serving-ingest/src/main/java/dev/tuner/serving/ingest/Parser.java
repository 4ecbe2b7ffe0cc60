package dev.tuner.serving.ingest;

/** Turns one file of one tool's output into drafts of serving rows and rejections. */
interface Parser {
  void parse(Text text, Sink out);
}
