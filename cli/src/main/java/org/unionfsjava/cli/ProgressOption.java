package org.unionfsjava.cli;

import org.unionfsjava.lifecycle.Progress;
import picocli.CommandLine.Option;

/** The long tools' {@code -q/--quiet}: a progress display on a terminal unless it is given. */
final class ProgressOption {
  @Option(names = {"-q", "--quiet"}, description = "No progress display.")
  private boolean quiet;

  /** The progress display on stderr: none when quiet or when stderr is not a terminal. */
  Progress progress() {
    return TerminalProgress.forStderr(quiet);
  }
}
