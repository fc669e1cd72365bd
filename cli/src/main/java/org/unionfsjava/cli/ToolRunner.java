package org.unionfsjava.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.lifecycle.Progress;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/**
 * Runs an offline tool so that Ctrl-C stops it cleanly: the tool runs on a worker thread (with a
 * large stack for deep trees); on SIGINT or SIGTERM the JVM's shutdown hook interrupts it, the
 * tool notices at its next step ({@link Progress#step}), removes what it built aside, and the
 * hook waits for that before the process exits with 130. A failure becomes one line on stderr and
 * a documented exit code.
 */
final class ToolRunner {
  private static final Logger LOG = LogManager.getLogger(ToolRunner.class);
  private static final long STACK_BYTES = 256L << 20;
  private static final long CLEANUP_WAIT_MS = 120_000;

  /** The work of one tool. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws Exception;
  }

  private ToolRunner() {}

  /** Runs {@code work}; throws what it threw, mapped to a {@link CommandFailure}. */
  static <T> T run(String tool, PrintWriter err, Work<T> work) throws Exception {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker = new Thread(null, () -> {
      try {
        result.set(work.run());
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "unionfs-java-" + tool, STACK_BYTES);
    Thread stopper = new Thread(() -> {
      if (worker.isAlive()) {
        worker.interrupt();
        try {
          worker.join(CLEANUP_WAIT_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        err.println("unionfs-java: " + tool + " interrupted; "
            + (failure.get() instanceof Progress.Interrupted ? "nothing was changed" : "see above"));
        err.flush();
      }
    }, "unionfs-java-stop-" + tool);
    Runtime.getRuntime().addShutdownHook(stopper);
    worker.start();
    worker.join();
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException shuttingDown) {
      Thread.sleep(Long.MAX_VALUE); // the hook prints and the JVM exits with 130
    }
    Throwable t = failure.get();
    if (t == null) {
      return result.get();
    }
    throw mapped(tool, t);
  }

  private static Exception mapped(String tool, Throwable t) {
    if (t instanceof CommandFailure) {
      return (CommandFailure) t;
    }
    if (t instanceof Progress.Interrupted) {
      return new CommandFailure(ExitStatus.INTERRUPTED, tool + " interrupted; nothing was changed");
    }
    if (t instanceof UnionException) {
      UnionException u = (UnionException) t;
      String line = tool + ": " + u.reason() + " (" + u.errno() + ")"
          + (u.path() == null || u.path().isEmpty() ? "" : ": " + u.path());
      return new CommandFailure(statusOf(u.errno()), line, u);
    }
    if (t instanceof IOException) {
      return new CommandFailure(ExitStatus.TOOL_FAILED, tool + ": " + t.getMessage(), t);
    }
    LOG.debug("unexpected failure of {}", tool, t);
    return t instanceof Exception ? (Exception) t : new RuntimeException(t);
  }

  /** Bad arguments and missing branches are 3, permissions 4, anything else a failed tool. */
  static ExitStatus statusOf(Errno e) {
    switch (e) {
      case ENOENT: case ENOTDIR: case EEXIST: case EINVAL: case ENOTEMPTY: case EISDIR:
        return ExitStatus.BAD_PATH;
      case EPERM: case EACCES: case EROFS:
        return ExitStatus.ENVIRONMENT;
      default:
        return ExitStatus.TOOL_FAILED;
    }
  }
}
