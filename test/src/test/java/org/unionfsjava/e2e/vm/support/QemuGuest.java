package org.unionfsjava.e2e.vm.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One guest under qemu's software emulation (TCG; nested KVM hangs this machine's guests): a
 * kernel, an initrd and disks, the serial console written to a file. The qemu process runs under
 * an outer {@code timeout}; {@link #close} kills what is left of it by its PID. Every wait polls
 * the console file with a bound, never a fixed sleep.
 */
public final class QemuGuest implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);

  /**
   * What to boot.
   *
   * @param kernel the kernel image (bzImage)
   * @param initrd the initrd
   * @param disks raw images attached read-only as virtio disks, in order (/dev/vda, /dev/vdb...)
   * @param writableDisks raw images attached read-write after them
   * @param cmdline the kernel command line (console=ttyS0 is added)
   * @param memoryMiB guest memory
   * @param bound the outer timeout of the whole qemu process
   */
  public record Spec(Path kernel, Path initrd, List<Path> disks, List<Path> writableDisks,
      String cmdline, int memoryMiB, Duration bound) {

    /** Read-only disks only. */
    public Spec(Path kernel, Path initrd, List<Path> disks, String cmdline, int memoryMiB,
        Duration bound) {
      this(kernel, initrd, disks, List.of(), cmdline, memoryMiB, bound);
    }
  }

  private final Process process;
  private final Path console;
  private final long startedNanos;

  private QemuGuest(Process process, Path console, long startedNanos) {
    this.process = process;
    this.console = console;
    this.startedNanos = startedNanos;
  }

  /** Starts qemu; its own output (not the guest's console) goes to {@code console}.qemu. */
  public static QemuGuest start(Spec spec, Path console) throws IOException {
    return start(spec, console, "none", command -> command);
  }

  /**
   * Starts qemu with the network card {@code nic} (qemu's {@code -nic} value), its command line
   * passed through {@code wrap} first (e.g. to run it inside a network namespace).
   */
  public static QemuGuest start(Spec spec, Path console, String nic,
      java.util.function.UnaryOperator<List<String>> wrap) throws IOException {
    Files.deleteIfExists(console);
    Files.createFile(console);
    List<String> command = new ArrayList<>(List.of(
        "timeout", "--kill-after=10", Long.toString(spec.bound().toSeconds()),
        "qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
        "-m", Integer.toString(spec.memoryMiB()), "-nographic", "-monitor", "none",
        "-no-reboot", "-nic", nic, "-serial", "file:" + console,
        "-kernel", spec.kernel().toString(), "-initrd", spec.initrd().toString(),
        "-append", "console=ttyS0 " + spec.cmdline()));
    for (Path disk : spec.disks()) {
      command.add("-drive");
      command.add("file=" + disk + ",format=raw,if=virtio,readonly=on");
    }
    for (Path disk : spec.writableDisks()) {
      command.add("-drive");
      command.add("file=" + disk + ",format=raw,if=virtio");
    }
    Path qemuOutput = console.resolveSibling(console.getFileName() + ".qemu");
    Process process = new ProcessBuilder(wrap.apply(command))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(qemuOutput.toFile())
        .start();
    return new QemuGuest(process, console, System.nanoTime());
  }

  /** The console so far (qemu writes it unbuffered). */
  public String console() {
    try {
      return new String(Files.readAllBytes(console), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Polls the console until a line matches {@code pattern} or the bound passes or qemu exits.
   *
   * @return the first match, or empty on timeout or exit
   */
  public Optional<Matcher> awaitConsole(Pattern pattern, Duration bound)
      throws InterruptedException {
    return awaitConsole(this::console, process, pattern, bound);
  }

  /**
   * Polls a guest's console until a line matches {@code pattern} or the bound passes or its qemu
   * process exits (for every guest launcher of the tests).
   *
   * @return the first match, or empty on timeout or exit
   */
  public static Optional<Matcher> awaitConsole(java.util.function.Supplier<String> console, Process process,
      Pattern pattern, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      Matcher matcher = pattern.matcher(console.get());
      if (matcher.find()) {
        return Optional.of(matcher);
      }
      if (!process.isAlive()) {
        // one last look: the line may have been written just before the exit
        matcher = pattern.matcher(console.get());
        return matcher.find() ? Optional.of(matcher) : Optional.empty();
      }
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Waits (bounded) for qemu to exit, as it does when the guest powers off; the exit code. */
  public Optional<Integer> awaitExit(Duration bound) throws InterruptedException {
    if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.of(process.exitValue());
    }
    return Optional.empty();
  }

  /** Whether the outermost process (the timeout wrapper) still runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** The PIDs of the outermost process and of all it started (qemu). */
  public List<Long> pids() {
    List<Long> pids = new ArrayList<>(List.of(process.pid()));
    process.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /** Time since qemu was started. */
  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Kills qemu (and the timeout wrapper) by PID if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
