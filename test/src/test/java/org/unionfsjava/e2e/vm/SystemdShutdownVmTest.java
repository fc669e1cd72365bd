package org.unionfsjava.e2e.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.vm.support.QemuGuest;
import org.unionfsjava.e2e.vm.support.VmScripts;

/**
 * Issue 7 with a real init: a minimal Debian 12 with systemd as PID 1 (scripts/vm/make-systemd-base,
 * a squashfs on /dev/vda) boots on a unionfs-java union root whose upper is an ext4 disk
 * (/dev/vdb, {@code union.upper=LABEL=...}); the initrd is made by mkinitramfs with the
 * examples/initramfs-tools hook and scripts, as in {@link UnionRootVmTest}. A oneshot service
 * (scripts/vm/systemd-check) checks the union from the booted system, writes a marker into it and
 * runs {@code systemctl poweroff}: systemd then stops every unit, systemd-shutdown sends its
 * SIGTERM/SIGKILL to every process but those whose argv[0] starts with '@' (the union's server),
 * unmounts what it can, remounts the root read-only and powers off. The test asserts that the
 * shutdown got to the kernel's power-off with the union served to the end (no FUSE errors, no
 * emergency mode, qemu exits 0 in a bound), that the ext4 upper was left clean (the
 * system-shutdown hook of examples/initramfs-tools remounts it read-only) and, booting a second
 * time from the same disks, that the first boot's marker and changes are there.
 *
 * <p>Needs root, qemu-system-x86, initramfs-tools-core, mmdebstrap, squashfs-tools, e2fsprogs
 * (scripts/packages.txt). The base image is cached in {@code -Dunionfs.vm.cache} (default
 * /var/cache/unionfs-java-vm); a cold build takes 1-2 minutes. {@code -Dunionfs.vm=false} skips it.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SystemdShutdownVmTest {

  private static final List<String> CHECKS = List.of("root_is_union", "pid1_is_systemd",
      "upper_on_device", "base_read", "server_alive_argv0_at", "server_in_no_unit", "copy_up",
      "whiteout", "user_write");
  private static final List<String> TOOLS = List.of("qemu-system-x86_64", "mkinitramfs",
      "mmdebstrap", "mksquashfs", "busybox", "cpio", "unshare", "apt-get", "dpkg-deb", "depmod",
      "timeout", "mkfs.ext4", "dumpe2fs", "e2fsck");
  /** From qemu's start to the check's result line: kernel, initrd, JVM, systemd's boot. */
  private static final Duration BOOT_BOUND = Duration.ofMinutes(8);
  /** From the result line to qemu's exit: systemd's whole shutdown. */
  private static final Duration SHUTDOWN_BOUND = Duration.ofMinutes(3);

  private static final Pattern BOOT = Pattern.compile(
      "UNIONFS-SD-BOOT: n=(\\d+) uptime=(\\S+) previous=(\\S+)");
  private static final Pattern CHECK = Pattern.compile("UNIONFS-SD-CHECK: (\\S+) (ok|FAIL)(.*)");
  private static final Pattern RESULT = Pattern.compile("UNIONFS-SD-RESULT: (PASS|FAIL) n=(\\d+)");
  private static final Pattern POWER_DOWN = Pattern.compile("reboot: Power down");
  private static final Pattern HOOK = Pattern.compile("unionfs-java: shutdown: (.*)");
  private static final Pattern HOOK_DONE = Pattern.compile(
      "unionfs-java: shutdown: poweroff: server \\d+ running, upper \\(ext2/ext3\\) synced and"
          + " remounted read-only");
  private static final Pattern FAILED_UNITS = Pattern.compile("UNIONFS-SD-FAILED-UNITS:([^\n]*)");
  /** What the console must not show: the union gone, FUSE trouble, a rescue shell. */
  private static final List<Pattern> BAD = List.of(
      Pattern.compile("Transport endpoint is not connected"),
      Pattern.compile("(?i)emergency (mode|shell)"),
      Pattern.compile("(?i)you are in rescue mode"),
      Pattern.compile("Kernel panic"),
      Pattern.compile("fuse: .*(error|abort)", Pattern.CASE_INSENSITIVE),
      Pattern.compile("Software caused connection abort"),
      Pattern.compile("UNIONFS-SD-CHECK: \\S+ FAIL"));

  private record Built(Path work, Path kernel, Path initrd, Path base, String baseBuild) {}

  private static Built build() throws IOException {
    VmScripts.requireVmEnvironment(TOOLS);
    Path repo = VmScripts.repoFromSystemProperty();
    VmScripts scripts = new VmScripts(repo);
    Path work = scripts.workDir("vm-systemd");
    VmScripts.Kernel kernel = scripts.kernel();
    Path kernelDir = kernel.dir();
    long fetchMillis = kernel.fetchMillis();
    long t0;
    t0 = System.nanoTime();
    Processes.Result baseRun = scripts.run(Duration.ofMinutes(10), "scripts/vm/make-systemd-base", VmScripts.cacheDir());
    Path base = Path.of(VmScripts.lastLine(baseRun));
    long baseMillis = millisSince(t0);
    // make-systemd-base says "built in N s" on stderr when it was not cached
    String baseBuild = (baseRun.stderr().contains("built in") ? "cold build " : "cached ")
        + baseMillis + " ms";
    Path runtime = work.resolve("runtime");
    t0 = System.nanoTime();
    scripts.buildRuntime(runtime);
    long runtimeMillis = millisSince(t0);
    Path initrd = work.resolve("initrd.img");
    t0 = System.nanoTime();
    scripts.run(Duration.ofMinutes(5), "scripts/vm/make-initrd", kernelDir.toString(),
        runtime.toString(), initrd.toString(), "virtio_pci", "virtio_blk", "squashfs", "ext4");
    long initrdMillis = millisSince(t0);
    System.out.printf("UNIONFS-VM-MEASURE: systemd: kernel fetch %d ms, base %s (%d MiB),"
        + " build-runtime %d ms, make-initrd %d ms%n", fetchMillis, baseBuild,
        Files.size(base) >> 20, runtimeMillis, initrdMillis);
    return new Built(work, kernel.vmlinuz(), initrd, base, baseBuild);
  }

  /** One boot up to qemu's exit. */
  private record Boot(String console, int number, String previous, Map<String, String> checks,
      boolean pass, long resultMillis, long exitMillis, Optional<Integer> exit) {}

  private static Boot boot(Built b, Path upper, String consoleName)
      throws IOException, InterruptedException {
    QemuGuest.Spec spec = new QemuGuest.Spec(b.kernel(), b.initrd(), List.of(b.base()),
        List.of(upper), "root=/dev/vda union union.upper=LABEL=unionupper panic=-1", 1024,
        BOOT_BOUND.plus(SHUTDOWN_BOUND));
    Path consoleFile = b.work().resolve(consoleName);
    try (QemuGuest guest = QemuGuest.start(spec, consoleFile)) {
      Optional<Matcher> result = guest.awaitConsole(RESULT, BOOT_BOUND);
      long resultMillis = guest.elapsed().toMillis();
      if (result.isEmpty()) {
        fail("no result line on the console within " + BOOT_BOUND + "; console tail:\n"
            + tail(guest.console(), 80));
      }
      Optional<Integer> exit = guest.awaitExit(SHUTDOWN_BOUND);
      long exitMillis = guest.elapsed().toMillis();
      String text = guest.console().replace("\r", "");
      Matcher boot = BOOT.matcher(text);
      assertTrue(boot.find(), "no boot line; console tail:\n" + tail(text, 80));
      Map<String, String> checks = new LinkedHashMap<>();
      Matcher check = CHECK.matcher(text);
      while (check.find()) {
        checks.put(check.group(1), check.group(2).equals("ok") ? null : check.group(3).strip());
      }
      Matcher r = RESULT.matcher(text);
      boolean pass = r.find() && r.group(1).equals("PASS");
      return new Boot(text, Integer.parseInt(boot.group(1)), boot.group(3), checks, pass,
          resultMillis, exitMillis, exit);
    }
  }

  private static void assertBootAndShutdown(Boot boot, List<String> checks) {
    for (String check : checks) {
      assertTrue(boot.checks().containsKey(check),
          "check " + check + " did not run; console tail:\n" + tail(boot.console(), 80));
      assertNull(boot.checks().get(check), "check " + check + " failed in the guest");
    }
    assertTrue(boot.pass(), "the guest reported FAIL; console tail:\n" + tail(boot.console(), 80));
    Matcher failedUnits = FAILED_UNITS.matcher(boot.console());
    assertTrue(failedUnits.find(), "the check did not list systemd's failed units");
    assertEquals("", failedUnits.group(1).strip(), "systemd's failed units on the union root");
    for (Pattern bad : BAD) {
      Matcher m = bad.matcher(boot.console());
      assertFalse(m.find(), "the console shows '" + (m.find(0) ? m.group() : bad) + "'; console tail:\n"
          + tail(boot.console(), 80));
    }
    assertTrue(boot.console().contains("systemd-shutdown"),
        "systemd-shutdown did not run; console tail:\n" + tail(boot.console(), 60));
    // the product's system-shutdown hook runs after systemd-shutdown's last SIGKILL and unmount
    // loop: the server must still be running then, and the upper remounted read-only
    assertTrue(HOOK_DONE.matcher(boot.console()).find(), "the shutdown hook did not find the server"
        + " running and remount the upper read-only; console tail:\n" + tail(boot.console(), 30));
    assertTrue(POWER_DOWN.matcher(boot.console()).find(),
        "the kernel's power-off was not reached; console tail:\n" + tail(boot.console(), 60));
    assertEquals(Optional.of(0), boot.exit(), "qemu did not end cleanly after systemd's poweroff"
        + " (empty: still running after " + SHUTDOWN_BOUND + "); console tail:\n"
        + tail(boot.console(), 60));
  }

  /** dumpe2fs -h's "Filesystem state" and e2fsck -fn's exit code and last lines. */
  private record Fsck(String state, boolean needsRecovery, int fsckExit, String fsckOutput) {
    boolean clean() {
      return state.equals("clean") && !needsRecovery && fsckExit == 0;
    }
  }

  private static Fsck fsck(Path image) {
    Processes.Result header = Processes.run(Duration.ofMinutes(1), "dumpe2fs", "-h", image.toString());
    Matcher state = Pattern.compile("(?m)^Filesystem state:\\s+(.*)$").matcher(header.stdout());
    Matcher features = Pattern.compile("(?m)^Filesystem features:\\s+(.*)$").matcher(header.stdout());
    Processes.Result check = Processes.run(Duration.ofMinutes(2), "e2fsck", "-fn", image.toString());
    return new Fsck(state.find() ? state.group(1).strip() : "?",
        features.find() && features.group(1).contains("needs_recovery"), check.exit(),
        tail(check.stdout() + check.stderr(), 4));
  }

  @Test
  void systemdRoot_onUnion_shutsDownCleanly_andTheUpperKeepsTheData()
      throws IOException, InterruptedException {
    long testStart = System.nanoTime();
    Built b = build();
    Path upper = b.work().resolve("upper.ext4");
    Files.deleteIfExists(upper);
    Processes.run(Duration.ofSeconds(30), "truncate", "-s", "256M", upper.toString())
        .requireSuccess("truncate");
    Processes.run(Duration.ofMinutes(1), "mkfs.ext4", "-q", "-F", "-L", "unionupper", upper.toString())
        .requireSuccess("mkfs.ext4");

    Boot first = boot(b, upper, "console-systemd-1.log");
    Fsck afterFirst = fsck(upper);
    report("boot 1", first, afterFirst);
    assertEquals(1, first.number(), "the first boot found markers of earlier boots");
    assertBootAndShutdown(first, CHECKS);

    Boot second = boot(b, upper, "console-systemd-2.log");
    Fsck afterSecond = fsck(upper);
    report("boot 2", second, afterSecond);
    assertEquals(2, second.number(), "the second boot did not find the first boot's marker");
    assertEquals("boot-1", second.previous(), "markers the second boot found");
    List<String> secondChecks = new ArrayList<>(CHECKS);
    secondChecks.add("persisted_earlier_boots");
    assertBootAndShutdown(second, secondChecks);

    System.out.printf("UNIONFS-VM-MEASURE: systemd: base %s, boot 1 to checks %d ms, shutdown %d ms,"
        + " boot 2 to checks %d ms, shutdown %d ms, test wall %d ms%n", b.baseBuild(),
        first.resultMillis(), first.exitMillis() - first.resultMillis(), second.resultMillis(),
        second.exitMillis() - second.resultMillis(), millisSince(testStart));
    assertTrue(afterFirst.clean(), "the ext4 upper was not left clean by the first shutdown: "
        + afterFirst);
    assertTrue(afterSecond.clean(), "the ext4 upper was not left clean by the second shutdown: "
        + afterSecond);
  }

  private static void report(String name, Boot boot, Fsck fsck) {
    Matcher hook = HOOK.matcher(boot.console());
    List<String> hookLines = new ArrayList<>();
    while (hook.find()) {
      hookLines.add(hook.group(1).strip());
    }
    System.out.printf("UNIONFS-VM-SYSTEMD: %s: n=%d previous=%s pass=%s checks at %d ms, qemu exit %s"
        + " at %d ms; shutdown hook %s; upper after: state '%s', needs_recovery %s, e2fsck -fn exit %d%n",
        name, boot.number(), boot.previous(), boot.pass(), boot.resultMillis(), boot.exit(),
        boot.exitMillis(), hookLines, fsck.state(), fsck.needsRecovery(), fsck.fsckExit());
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(String text, int lines) {
    String[] all = text.replace("\r", "").split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
