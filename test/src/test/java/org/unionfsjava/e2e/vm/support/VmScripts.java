package org.unionfsjava.e2e.vm.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.unionfsjava.e2e.support.Processes;

/**
 * The shell helpers in {@code scripts/vm/} and {@code examples/initramfs-tools/}, run with a
 * bound: each command runs under {@code timeout} and is also killed by its PID when the bound
 * passes (see {@link Processes#run}).
 */
public final class VmScripts {
  private final Path repo;

  /** @param repo the repository root (system property {@code unionfs.repo.dir}) */
  public VmScripts(Path repo) {
    this.repo = repo;
  }

  /** The repository root from the surefire configuration, or the working directory's parent. */
  public static Path repoFromSystemProperty() {
    String dir = System.getProperty("unionfs.repo.dir");
    Path repo = dir != null ? Path.of(dir) : Path.of("..");
    return repo.toAbsolutePath().normalize();
  }

  /** Runs {@code repo/script args...} within {@code bound}; returns its output or fails. */
  public Processes.Result run(Duration bound, String script, String... args) {
    Path path = repo.resolve(script);
    if (!Files.isExecutable(path)) {
      throw new AssertionError("missing helper script " + path);
    }
    List<String> command = new ArrayList<>(List.of("timeout", "--kill-after=10",
        Long.toString(bound.toSeconds()), path.toString()));
    command.addAll(List.of(args));
    return Processes.run(bound.plusSeconds(15), command).requireSuccess(script);
  }

  /** The last non-empty line a script printed (the helpers print their result there). */
  public static String lastLine(Processes.Result result) {
    String[] lines = result.stdout().strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  /** Whether a command is on the PATH. */
  public static boolean onPath(String command) {
    return Processes.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + command).exit() == 0;
  }
}
