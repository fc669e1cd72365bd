package org.unionfsjava.e2e.nfsvm;

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
import org.unionfsjava.e2e.nfs.support.GaneshaServer;

/**
 * A qemu guest (TCG) started inside a {@link GaneshaServer}'s private network namespace, with
 * qemu's user networking: the guest's 10.0.2.2 is the namespace's loopback, where ganesha and
 * rpcbind listen, and nothing outside the namespace is reachable. What differs from
 * {@code vm.support.QemuGuest}: the namespace ({@code nsenter} execs {@code timeout}, which
 * starts qemu) and a virtio network card instead of {@code -nic none}. The serial console goes to
 * a file; qemu runs under an outer {@code timeout}; {@link #close} kills what is left by PID.
 */
final class NfsGuest implements AutoCloseable {

  /**
   * What to boot.
   *
   * @param kernel the kernel image
   * @param initrd the initrd (scripts/nfsvm/make-initrd)
   * @param cmdline the kernel command line (console=ttyS0 is added)
   * @param memoryMiB guest memory
   * @param bound the outer timeout of the whole qemu process
   */
  record Spec(Path kernel, Path initrd, String cmdline, int memoryMiB, Duration bound) {}

  private final Process process;
  private final Path console;
  private final long startedNanos;

  private NfsGuest(Process process, Path console, long startedNanos) {
    this.process = process;
    this.console = console;
    this.startedNanos = startedNanos;
  }

  static NfsGuest start(GaneshaServer server, Spec spec, Path console) throws IOException {
    Files.deleteIfExists(console);
    Files.createFile(console);
    List<String> command = new ArrayList<>(server.inside(
        "timeout", "--kill-after=10", Long.toString(spec.bound().toSeconds()),
        "qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-smp", "2",
        "-m", Integer.toString(spec.memoryMiB()), "-nographic", "-monitor", "none",
        "-no-reboot", "-nic", "user,model=virtio-net-pci", "-serial", "file:" + console,
        "-kernel", spec.kernel().toString(), "-initrd", spec.initrd().toString(),
        "-append", "console=ttyS0 " + spec.cmdline()));
    Path qemuOutput = console.resolveSibling(console.getFileName() + ".qemu");
    Process process = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(qemuOutput.toFile())
        .start();
    return new NfsGuest(process, console, System.nanoTime());
  }

  /** The console so far (qemu writes it unbuffered). */
  String console() {
    try {
      return new String(Files.readAllBytes(console), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The PID of the outer {@code timeout} (nsenter exec'd into it) and of qemu, its child. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>(List.of(process.pid()));
    process.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /**
   * Asserts that qemu (and its timeout wrapper) run in {@code server}'s network namespace and
   * that it is not this JVM's: the guest can reach nothing but the server. Waits (bounded) until
   * the wrapper has started qemu.
   */
  void assertInNamespaceOf(GaneshaServer server) throws IOException, InterruptedException {
    String serverNs = netns(server.namespacePid());
    if (netns(ProcessHandle.current().pid()).equals(serverNs)) {
      throw new AssertionError("the server is not in a private network namespace");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (pids().size() < 2 && alive() && System.nanoTime() < deadline) {
      Thread.sleep(20); // timeout has not forked qemu yet
    }
    if (pids().size() < 2) {
      throw new AssertionError("qemu did not start: " + pids());
    }
    for (long pid : pids()) {
      if (!netns(pid).equals(serverNs)) {
        throw new AssertionError("guest process " + pid + " is outside the namespace");
      }
    }
  }

  private static String netns(long pid) throws IOException {
    return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
  }

  /**
   * Polls the console until a line matches {@code pattern} or the bound passes or qemu exits.
   *
   * @return the first match, or empty on timeout or exit
   */
  Optional<Matcher> awaitConsole(Pattern pattern, Duration bound) throws InterruptedException {
    return org.unionfsjava.e2e.vm.support.QemuGuest.awaitConsole(this::console, process, pattern, bound);
  }

  /** Waits (bounded) for qemu to exit, as it does when the guest powers off; the exit code. */
  Optional<Integer> awaitExit(Duration bound) throws InterruptedException {
    if (process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.of(process.exitValue());
    }
    return Optional.empty();
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** Kills qemu and the timeout wrapper by PID if they still run. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
