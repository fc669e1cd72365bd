package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands for tests, always with a timeout; a command that hangs is killed by its PID. */
public final class Processes {
  private Processes() {}

  /** What a finished command left: its exit code and its output. */
  public record Result(int exit, String stdout, String stderr) {
    /** Throws with the output if the command failed. */
    public Result requireSuccess(String what) {
      if (exit != 0) {
        throw new AssertionError(what + " failed with exit " + exit + "\nstdout: " + stdout
            + "\nstderr: " + stderr);
      }
      return this;
    }
  }

  /** Runs a command to completion (stdin closed) or kills it after the timeout. */
  public static Result run(Duration timeout, List<String> command) {
    try {
      Path out = Files.createTempFile("proc", ".out");
      Path err = Files.createTempFile("proc", ".err");
      try {
        Process p = new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError("timed out after " + timeout + ": " + command);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  /** Runs a command given as words. */
  public static Result run(Duration timeout, String... command) {
    return run(timeout, List.of(command));
  }

  /** Runs a shell snippet with bash -c. */
  public static Result sh(Duration timeout, String script) {
    return run(timeout, List.of("bash", "-c", script));
  }
}
