package org.unionfsjava.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.unionfsjava.fs.NativeBindings;
import org.unionfsjava.fs.Tuning;

/**
 * Start-up work of a mount that does not depend on its command line, begun on threads of its own
 * at the start of {@code main} so that it runs while picocli reads the command's annotations:
 * starting Log4j (reading its configuration) and binding the native libraries (jnr-ffi writes
 * their classes at run time). One after the other they took about 0.4 s of a mount's start on
 * this project's 2-core machine, picocli a quarter of that again (profiled, docs/startup.md).
 *
 * <p>Only {@code mount} starts them, and the binding only with {@code --foreground}: without it
 * this process starts the one that serves and waits. {@code --help}, {@code --version} and
 * {@code umount} need neither; {@code -Dunionfs.startupOverlap=false} turns it off (for an A/B
 * measurement). {@link #await} is called before the command runs, so the command's first log
 * line finds Log4j configured. A failure on these threads is dropped: the mount meets it again on
 * its own thread and reports it as it would have without them.
 */
final class StartupOverlap {

  private final List<Thread> threads;

  private StartupOverlap(List<Thread> threads) {
    this.threads = threads;
  }

  /** Starts the work for {@code args} (none unless the command is {@code mount}). */
  static StartupOverlap begin(String[] args, Tuning tuning) {
    List<Thread> threads = new ArrayList<>();
    if ("mount".equals(subcommand(args)) && tuning.startupOverlap()) {
      threads.add(start("startup-logging", () -> LogManager.getContext(false)));
      if (Arrays.asList(args).contains("--foreground")) {
        // without it this process only starts the one that serves, and binds nothing itself
        threads.add(start("startup-native", () -> NativeBindings.bind(tuning.fuseLibrary())));
      }
    }
    return new StartupOverlap(threads);
  }

  /** Waits until the work is done (or failed). */
  void await() throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  /** How many threads {@link #begin} started. */
  int started() {
    return threads.size();
  }

  /** The first argument that is not an option: the top command has options without values. */
  static String subcommand(String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  private static Thread start(String name, Runnable work) {
    Thread t = new Thread(() -> {
      try {
        work.run();
      } catch (Throwable metAgainByTheMount) { // NOPMD: reported where the mount meets it
        // the mount's own thread reaches the same code and reports the failure there
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
