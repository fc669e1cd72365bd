package org.unionfsjava.e2e.vm.support;

import java.io.IOException;
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

  /**
   * What every VM test needs first: skipped with {@code -Dunionfs.vm=false} or when not root;
   * fails if one of {@code tools} is missing (scripts/packages.txt lists them all).
   */
  public static void requireVmEnvironment(List<String> tools) {
    org.junit.jupiter.api.Assumptions.assumeFalse("false".equals(System.getProperty("unionfs.vm")),
        "VM tests switched off with -Dunionfs.vm=false");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Processes.run(Duration.ofSeconds(10), "id", "-u").stdout().strip().equals("0"),
        "the VM tests build images and initrds and mount: need root");
    List<String> missing = new ArrayList<>();
    for (String tool : tools) {
      if (!onPath(tool)) {
        missing.add(tool);
      }
    }
    if (!missing.isEmpty()) {
      throw new AssertionError("missing tools " + missing + " (scripts/test installs scripts/packages.txt)");
    }
  }

  /** Where kernels and base images are cached between runs ({@code -Dunionfs.vm.cache}). */
  public static String cacheDir() {
    return System.getProperty("unionfs.vm.cache", "/var/cache/unionfs-java-vm");
  }

  /** Debian's kernel for the guests, from scripts/vm/fetch-kernel: its directory. */
  public Path fetchKernel() {
    return Path.of(lastLine(run(Duration.ofMinutes(6), "scripts/vm/fetch-kernel", cacheDir())));
  }

  /**
   * The guests' kernel unpacked by scripts/vm/fetch-kernel: its directory, its release (the one
   * directory under lib/modules) and how long fetching it took.
   */
  public record Kernel(Path dir, String release, long fetchMillis) {
    public Path vmlinuz() {
      return dir.resolve("boot/vmlinuz-" + release);
    }
  }

  /** Fetches the kernel (cached) and times it. */
  public Kernel kernel() throws IOException {
    long t0 = System.nanoTime();
    Path dir = fetchKernel();
    long fetchMillis = (System.nanoTime() - t0) / 1_000_000;
    try (var modules = Files.list(dir.resolve("lib/modules"))) {
      return new Kernel(dir, modules.findFirst().orElseThrow().getFileName().toString(), fetchMillis);
    }
  }

  /** A scratch directory of one VM test, {@code test/target/NAME}, created if missing. */
  public Path workDir(String name) throws IOException {
    return Files.createDirectories(repo.resolve("test/target").resolve(name));
  }

  /** The initrd's runtime from build-runtime (never installed on this host), with its AppCDS archive. */
  public void buildRuntime(Path runtime) {
    run(Duration.ofMinutes(5), "examples/initramfs-tools/build-runtime", "--prefix", runtime.toString(),
        "--no-install", "--cli-dir", repo.resolve("cli/target").toString());
    if (!Files.isRegularFile(runtime.resolve("unionfs-java.jsa"))) {
      throw new AssertionError("build-runtime made no AppCDS archive in " + runtime);
    }
  }

  /** Whether a command is on the PATH. */
  public static boolean onPath(String command) {
    return Processes.run(Duration.ofSeconds(10), "sh", "-c", "command -v " + command).exit() == 0;
  }
}
