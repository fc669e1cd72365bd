package org.unionfsjava.e2e.nfsvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.unionfsjava.e2e.nfs.support.GaneshaServer;
import org.unionfsjava.e2e.vm.support.QemuGuest;

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

  private final QemuGuest guest;

  private NfsGuest(QemuGuest guest) {
    this.guest = guest;
  }

  static NfsGuest start(GaneshaServer server, Spec spec, Path console) throws IOException {
    QemuGuest.Spec qemu = new QemuGuest.Spec(spec.kernel(), spec.initrd(), List.of(), spec.cmdline(),
        spec.memoryMiB(), spec.bound());
    return new NfsGuest(QemuGuest.start(qemu, console, "user,model=virtio-net-pci",
        command -> server.inside(command.toArray(new String[0]))));
  }

  /** The console so far (qemu writes it unbuffered). */
  String console() {
    return guest.console();
  }

  boolean alive() {
    return guest.alive();
  }

  /** The PID of the outer {@code timeout} (nsenter exec'd into it) and of qemu, its child. */
  List<Long> pids() {
    return guest.pids();
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

  /** See {@link QemuGuest#awaitConsole(Pattern, Duration)}. */
  Optional<Matcher> awaitConsole(Pattern pattern, Duration bound) throws InterruptedException {
    return guest.awaitConsole(pattern, bound);
  }

  /** Waits (bounded) for qemu to exit, as it does when the guest powers off; the exit code. */
  Optional<Integer> awaitExit(Duration bound) throws InterruptedException {
    return guest.awaitExit(bound);
  }

  Duration elapsed() {
    return guest.elapsed();
  }

  /** Kills qemu and the timeout wrapper by PID if they still run. */
  @Override
  public void close() throws InterruptedException {
    guest.close();
  }
}
