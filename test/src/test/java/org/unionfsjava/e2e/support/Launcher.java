package org.unionfsjava.e2e.support;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code bin/unionfs-java ARGS} as a user types it (a mount in the default background
 * mode included), bounded in time. A background mount that succeeds leaves a server the test did
 * not start itself: {@link #endServer} unmounts and then ends it by the PID it printed.
 */
public final class Launcher {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern SERVER_PID = Pattern.compile("^mounted .* \\(pid (\\d+)",
      Pattern.MULTILINE);

  /** What a run left: exit code, stdout, stderr. */
  public record Run(int exit, String stdout, String stderr) {
    /** The non-blank lines on stderr. */
    public List<String> stderrLines() {
      List<String> lines = new ArrayList<>();
      for (String line : stderr.split("\n")) {
        if (!line.isBlank()) {
          lines.add(line);
        }
      }
      return lines;
    }

    /** The background server's PID, if the run reported a mount. */
    public Optional<Long> serverPid() {
      Matcher m = SERVER_PID.matcher(stdout);
      return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private Launcher() {}

  /** Runs {@code bin/unionfs-java ARGS}. */
  public static Run run(String... args) {
    return run(Map.of(), List.of(args));
  }

  /** Runs a program (the launcher or a script calling it) with extra environment variables. */
  public static Run run(Map<String, String> env, List<String> command) {
    List<String> cmd = new ArrayList<>();
    if (command.isEmpty() || !command.get(0).startsWith("/")) {
      cmd.add(TestUnion.launcher().toString());
    }
    cmd.addAll(command);
    List<String> withEnv = new ArrayList<>(List.of("env"));
    env.forEach((k, v) -> withEnv.add(k + "=" + v));
    withEnv.addAll(cmd);
    Processes.Result r = Processes.run(TIMEOUT, withEnv);
    return new Run(r.exit(), r.stdout(), r.stderr());
  }

  /**
   * Ends what a background mount left at {@code mnt}: unmounts (lazily as a fallback), then
   * waits for the server the run named and kills it by its PID if it is still there.
   */
  public static void endServer(Run run, Path mnt) {
    Mounts.unmountQuietly(mnt);
    run.serverPid().flatMap(ProcessHandle::of).ifPresent(server -> {
      try {
        server.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception stillThere) {
        server.destroyForcibly();
      }
    });
  }
}
