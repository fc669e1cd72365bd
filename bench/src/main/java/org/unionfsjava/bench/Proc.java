package org.unionfsjava.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bounded subprocesses: every command has a timeout, output goes to a log file (never a pipe
 * that could fill up), and a command that overruns is ended with its descendants, each by PID.
 */
final class Proc {
  private Proc() {}

  /** How one run ended; {@code nanos} is System.nanoTime from just before start to exit. */
  record Result(int exit, long nanos, boolean timedOut) {
    boolean ok() {
      return !timedOut && exit == 0;
    }

    double seconds() {
      return nanos / 1e9;
    }
  }

  /** Runs {@code bash -c script} with extra environment, output appended to {@code log}. */
  static Result bash(String script, Map<String, String> env, Duration timeout, Path log) {
    return run(List.of("bash", "-c", script), env, timeout, log);
  }

  static Result run(List<String> cmd, Map<String, String> env, Duration timeout, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().putAll(env);
    pb.redirectInput(Redirect.from(new java.io.File("/dev/null")));
    pb.redirectErrorStream(true);
    pb.redirectOutput(Redirect.appendTo(log.toFile()));
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(127, 0, false);
    }
    try {
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return new Result(p.exitValue(), System.nanoTime() - t0, false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long nanos = System.nanoTime() - t0;
    append(log, "[bench] timed out after " + timeout.toSeconds() + " s: " + String.join(" ", cmd));
    killTree(p.toHandle(), Duration.ofSeconds(5));
    return new Result(-1, nanos, true);
  }

  /** Runs a short helper command and returns its output (stderr merged); null if it failed. */
  static String output(List<String> cmd, Duration timeout) {
    try {
      Path tmp = Files.createTempFile("bench-out", ".txt");
      try {
        Result r = run(cmd, Map.of(), timeout, tmp);
        String out = Files.readString(tmp, StandardCharsets.UTF_8);
        return r.ok() ? out : null;
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      return null;
    }
  }

  /** Ends a process and everything it started: SIGTERM each by PID, then SIGKILL what is left. */
  static void killTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(0, root);
    for (ProcessHandle h : all) {
      h.destroy();
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : all) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          // still alive: killed below
        }
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }

  static void append(Path log, String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
