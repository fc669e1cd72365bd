package org.unionfsjava.cli;

import java.nio.file.Path;

/**
 * A failure the CLI reports as one line on stderr ({@code unionfs-java: <problem>: <path>}) and a
 * documented exit code.
 */
final class CommandFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient ExitStatus status;

  CommandFailure(ExitStatus status, String problem, Path path) {
    this(status, path == null ? problem : problem + ": " + path);
  }

  CommandFailure(ExitStatus status, String line) {
    super(line);
    this.status = status;
  }

  CommandFailure(ExitStatus status, String line, Throwable cause) {
    super(line, cause);
    this.status = status;
  }

  /** The exit code this failure ends the process with. */
  ExitStatus status() {
    return status;
  }
}
