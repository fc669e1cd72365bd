package org.unionfsjava.e2e.nfsvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.unionfsjava.e2e.nfs.support.GaneshaServer;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.vm.support.GuestReport;
import org.unionfsjava.e2e.vm.support.VmScripts;

/**
 * Issue 7's second scenario: the union root of {@code vm.UnionRootVmTest}, with the base over
 * NFS instead of a local squashfs. nfs-ganesha exports (read-only, NFSv3, no root squash, the
 * files' owners and modes as they are) a directory holding the VM test's base tree
 * ({@code scripts/vm/make-base --dir}: busybox-static, scripts/vm/guest-init as
 * /sbin/union-test-init, the test files, user tester) inside a private network namespace; a
 * qemu guest in that namespace boots Debian's kernel with an initrd from Debian's mkinitramfs and
 * the examples/initramfs-tools hook ({@code scripts/nfsvm/make-root-initrd}) and Debian's own
 * {@code /init}: initramfs-tools configures the network ({@code ip=dhcp}), mounts
 * {@code root=/dev/nfs nfsroot=10.0.2.2:/base} with klibc's nfsmount, and the hook's
 * {@code nfs-bottom} script turns that mount into the union's base (lower mode {@code changing},
 * the default on the NFS path) with a tmpfs upper. The base's init then runs the same checks as
 * in the squashfs scenario, from inside the booted system, and powers off.
 *
 * <p>What it proves beyond {@code UnionRootVmTest}: the product's NFS root path (init-premount,
 * initramfs-tools' nfs boot, the script installed as nfs-bottom and its default lower mode) works
 * with a real NFS client and server; the console must show initramfs-tools' network
 * configuration, its nfs-bottom stage and the boot script's "union root live" line naming the NFS
 * root and {@code changing}.
 *
 * <p>Every wait is a bounded poll; qemu runs under an outer {@code timeout}; the VM, ganesha,
 * rpcbind and the namespace end by PID ({@link NfsGuest}, {@link GaneshaServer}). The host's
 * /boot and /etc/initramfs-tools are not touched (make-initrd works in a private mount
 * namespace; build-runtime runs with {@code --no-install}). Needs root and scripts/packages.txt
 * (qemu-system-x86, initramfs-tools-core, busybox-static, cpio, nfs-ganesha, nfs-ganesha-vfs,
 * rpcbind, libnfs-utils). {@code -Dunionfs.vm=false} skips it.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class NfsRootVmTest {

  /** The checks guest-init runs, in order; each must report ok (as in UnionRootVmTest). */
  private static final List<String> CHECKS = List.of(
      "root_is_union", "base_read", "server_argv0_at", "server_in_sendsigs_omit", "copy_up",
      "whiteout", "opaque_dir", "rename_lower", "new_tree", "readdir_merged",
      "user_write_shared", "user_reads_base", "user_denied_root_file",
      "user_denied_mkdir_in_root_dir", "survives_killers", "remount_read_only");
  private static final List<String> TOOLS = List.of("qemu-system-x86_64", "mkinitramfs",
      "lsinitramfs", "busybox", "cpio", "unshare", "nsenter", "apt-get", "dpkg-deb", "depmod",
      "timeout", "ip");
  private static final Duration BOOT_BOUND = Duration.ofMinutes(6);
  /**
   * The kernel command line, %s the export's path. initramfs-tools passes the options after the
   * path to klibc's nfsmount, which takes {@code nfsvers=3} and {@code tcp} (it rejects
   * {@code actimeo}, {@code proto} and {@code mountport}); the MOUNT port comes from the
   * namespace's rpcbind.
   */
  private static final String CMDLINE = "root=/dev/nfs nfsroot=10.0.2.2:%s,nfsvers=3,tcp"
      + " ip=dhcp union union.upper=tmpfs init=/sbin/union-test-init panic=-1";
  /** The boot script's line once the union is mounted: base, upper, lower mode, archive. */
  private static final Pattern LIVE = Pattern.compile("unionfs-java: union root live \\d+ ms"
      + " after the JVM started \\(pid \\d+, base (\\S+), upper (\\S+), (\\S+), cds=(\\S+)\\)");

  @Test
  void unionRoot_onNfsBase_bootedByInitramfsToolsNfsPath_passesTheRootChecksAndPowersOff()
      throws IOException, InterruptedException {
    VmScripts.requireVmEnvironment(TOOLS);
    assertTrue(GaneshaServer.available(), "nfs-ganesha, nfs-ganesha-vfs, rpcbind or libnfs-utils"
        + " missing (scripts/packages.txt)");

    long testStart = System.nanoTime();
    Path repo = VmScripts.repoFromSystemProperty();
    VmScripts scripts = new VmScripts(repo);
    Path work = scripts.workDir("nfsroot");
    VmScripts.Kernel kernel = scripts.kernel();
    Path kernelDir = kernel.dir();
    long fetchMillis = kernel.fetchMillis();
    long t0;
    Path runtime = work.resolve("runtime");
    t0 = System.nanoTime();
    scripts.buildRuntime(runtime);
    long runtimeMillis = millisSince(t0);
    Path base = work.resolve("base");
    scripts.run(Duration.ofMinutes(2), "scripts/vm/make-base", "--dir", base.toString());
    assertTrue(Files.isExecutable(base.resolve("sbin/union-test-init")),
        "make-base --dir put no init into " + base);
    Path initrd = work.resolve("initrd.img");
    t0 = System.nanoTime();
    scripts.run(Duration.ofMinutes(5), "scripts/nfsvm/make-root-initrd", kernelDir.toString(),
        runtime.toString(), initrd.toString());
    long initrdMillis = millisSince(t0);
    assertInitrdHoldsTheNfsRootPath(initrd, runtime);

    Path console = work.resolve("console.log");
    List<ProcessHandle> serverProcesses;
    List<Long> guestPids;
    String text;
    long markerMillis;
    long ganeshaMillis;
    Optional<Integer> exit;
    // GaneshaServer appends to the logs in its state directory and polls them for "ready"
    // lines: a previous run's lines would pass those polls early
    Path state = work.resolve("ganesha");
    deleteTree(state);
    try (GaneshaServer server = GaneshaServer.start(state, GaneshaServer.Export.readOnly(base))) {
      serverProcesses = server.processes();
      ganeshaMillis = server.lastStartDuration().toMillis();
      NfsGuest.Spec spec = new NfsGuest.Spec(kernel.vmlinuz(),
          initrd, String.format(CMDLINE, server.export().pseudo()), 1024, BOOT_BOUND);
      try (NfsGuest guest = NfsGuest.start(server, spec, console)) {
        guest.assertInNamespaceOf(server);
        guestPids = guest.pids();
        if (guest.awaitConsole(GuestReport.RESULT, BOOT_BOUND).isEmpty()) {
          fail("no result line on the console (qemu " + (guest.alive() ? "still running"
              : "exited") + " after " + guest.elapsed().toSeconds() + " s); console tail:\n"
              + tail(guest.console(), 80));
        }
        markerMillis = guest.elapsed().toMillis();
        exit = guest.awaitExit(Duration.ofSeconds(90));
        text = guest.console();
      }
    }
    for (ProcessHandle p : serverProcesses) {
      assertFalse(p.isAlive(), "server process " + p.pid() + " still runs after close");
    }
    for (long pid : guestPids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "guest process " + pid + " still runs after close");
    }

    GuestReport report = GuestReport.parse(text);
    String measurements = String.format(
        "UNIONFS-VM-MEASURE: NFS root: boot to result marker %d ms (host wall), guest uptime at"
            + " init %d s, JVM exec to mount live %d ms (in the guest), initrd %d KiB, kernel fetch"
            + " %d ms, build-runtime %d ms, make-initrd %d ms, ganesha start %d ms, test wall %d ms",
        markerMillis, GuestReport.uptimeSecondsAt(text, "UNIONFS-VM-BOOTED").orElse(-1),
        report.jvmToMountMillis(), Files.size(initrd) / 1024, fetchMillis, runtimeMillis,
        initrdMillis, ganeshaMillis, millisSince(testStart));
    System.out.println(measurements);
    Files.writeString(work.resolve("measurements.txt"), measurements + "\n");

    // the base came through initramfs-tools' NFS path and the hook's nfs-bottom script
    String plain = text.replace("\r", "");
    assertTrue(Pattern.compile("IP-Config: \\S+ complete").matcher(plain).find(),
        "initramfs-tools did not configure the network (ip=dhcp); console tail:\n"
            + tail(text, 60));
    assertTrue(plain.contains("Running /scripts/nfs-bottom"),
        "initramfs-tools did not run the nfs-bottom scripts; console tail:\n" + tail(text, 60));
    Matcher live = LIVE.matcher(plain);
    assertTrue(live.find(), "the boot script reported no live union; console tail:\n"
        + tail(text, 60));
    assertEquals("/dev/nfs", live.group(1), "the union's base");
    assertEquals("tmpfs", live.group(2), "the union's upper");
    assertEquals("changing", live.group(3), "the lower mode nfs-bottom chooses for NFS");
    assertEquals("y", live.group(4), "the union started without its AppCDS archive");

    for (String check : CHECKS) {
      assertTrue(report.checks().containsKey(check),
          "check " + check + " did not run; console tail:\n" + tail(text, 60));
      assertNull(report.checks().get(check), "check " + check + " failed in the guest");
    }
    assertTrue(report.resultPass(), "the guest reported FAIL; console tail:\n" + tail(text, 80));
    assertEquals(CHECKS.size(), report.passed(), "checks passed in the guest");
    assertTrue(report.jvmToMountMillis() > 0, "the boot script reported no start time");
    assertTrue(text.contains("UNIONFS-VM-POWEROFF"), "the guest did not reach its poweroff");
    assertEquals(Optional.of(0), exit,
        "qemu did not end cleanly after the guest's poweroff (empty: still running after 90 s)");
  }

  /**
   * The initrd carries the hook's work and what initramfs-tools' NFS boot needs: the runtime,
   * libfuse, the boot scripts (nfs-bottom too), klibc's ipconfig and nfsmount, the modules.
   */
  private static void assertInitrdHoldsTheNfsRootPath(Path initrd, Path runtime) {
    Processes.Result listing = Processes.run(Duration.ofMinutes(2), "lsinitramfs",
        initrd.toString());
    listing.requireSuccess("listing the initrd");
    String files = listing.stdout();
    String prefix = runtime.toString().substring(1);
    for (String expected : List.of(prefix + "/jre/bin/java", prefix + "/unionfs-java.jsa",
        prefix + "/jars/unionfs-java-cli.jar", "usr/lib/libfuse.so.2",
        "scripts/nfs-bottom/unionfs-java", "scripts/init-premount/unionfs-java",
        "conf/conf.d/unionfs-java", "scripts/nfs", "usr/bin/ipconfig", "usr/bin/nfsmount")) {
      assertTrue(Pattern.compile("(?m)^" + Pattern.quote(expected) + "$").matcher(files).find(),
          "the initrd has no " + expected);
    }
    for (String module : List.of("fuse", "nfs", "nfsv3", "virtio_net", "virtio_pci")) {
      assertTrue(Pattern.compile("(?m)/" + module + "\\.ko$").matcher(files).find(),
          "the initrd has no " + module + " module");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(String text, int lines) {
    String[] all = text.replace("\r", "").split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
