package org.unionfsjava.e2e.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.vm.support.GuestReport;
import org.unionfsjava.e2e.vm.support.QemuGuest;
import org.unionfsjava.e2e.vm.support.VmScripts;

/**
 * Issue 7 for real: an initrd made by Debian's mkinitramfs with the examples/initramfs-tools hook
 * and boot scripts boots Debian's kernel under qemu, mounts a unionfs-java union as the root
 * filesystem (a read-only squashfs base on /dev/vda, a tmpfs upper), and the base's test init
 * (scripts/vm/guest-init, PID 1) checks the union from inside the booted system: the root's type,
 * reads, copy-up, whiteouts, opaque directories, a non-root user (allow_other and
 * default_permissions), the server surviving the shutdown killers, a read-only remount; then it
 * powers off. The test reads the results from the serial console. A second scenario puts the upper
 * on a disk of its own (ext4, {@code union.upper=LABEL=...}) and boots twice: the changes of the
 * first boot must all be there in the second.
 *
 * <p>Needs root and the packages of scripts/packages.txt (qemu-system-x86, initramfs-tools-core,
 * busybox-static, squashfs-tools, cpio); fetches the guest kernel with apt-get download into
 * {@code -Dunionfs.vm.cache} (default /var/cache/unionfs-java-vm). {@code -Dunionfs.vm=false}
 * skips it.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class UnionRootVmTest {

  /** The checks guest-init runs, in order; each must report ok. */
  private static final List<String> CHECKS = List.of(
      "root_is_union", "base_read", "server_argv0_at", "server_in_sendsigs_omit", "copy_up",
      "whiteout", "opaque_dir", "rename_lower", "new_tree", "readdir_merged",
      "user_write_shared", "user_reads_base", "user_denied_root_file",
      "user_denied_mkdir_in_root_dir", "survives_killers", "remount_read_only");
  private static final List<String> TOOLS = List.of("qemu-system-x86_64", "mkinitramfs",
      "mksquashfs", "busybox", "cpio", "unshare", "apt-get", "dpkg-deb", "depmod", "timeout");
  private static final Duration BOOT_BOUND = Duration.ofMinutes(5);

  /** What both scenarios boot: built once per test run. */
  private record Built(Path work, Path kernelDir, String release, Path runtime, Path base, Path initrd,
      long fetchMillis, long runtimeMillis, long initrdMillis) {
    Path kernel() {
      return kernelDir.resolve("boot/vmlinuz-" + release);
    }
  }

  private static Built built;

  private static synchronized Built build() throws IOException, InterruptedException {
    VmScripts.requireVmEnvironment(TOOLS);
    if (built != null) {
      return built;
    }
    Path repo = VmScripts.repoFromSystemProperty();
    VmScripts scripts = new VmScripts(repo);
    Path work = scripts.workDir("vm");
    VmScripts.Kernel kernel = scripts.kernel();
    Path kernelDir = kernel.dir();
    long fetchMillis = kernel.fetchMillis();
    long t0;
    Path runtime = work.resolve("runtime");
    t0 = System.nanoTime();
    scripts.buildRuntime(runtime);
    long runtimeMillis = millisSince(t0);
    Path base = work.resolve("base.sqfs");
    scripts.run(Duration.ofMinutes(2), "scripts/vm/make-base", base.toString());
    Path initrd = work.resolve("initrd.img");
    t0 = System.nanoTime();
    // ext4 for the device-upper scenario's upper disk
    scripts.run(Duration.ofMinutes(5), "scripts/vm/make-initrd", kernelDir.toString(),
        runtime.toString(), initrd.toString(), "virtio_pci", "virtio_blk", "squashfs", "ext4");
    long initrdMillis = millisSince(t0);
    assertInitrdHoldsTheHooksWork(initrd, runtime);
    String release = kernel.release();
    built = new Built(work, kernelDir, release, runtime, base, initrd, fetchMillis, runtimeMillis,
        initrdMillis);
    return built;
  }

  /** One boot: the guest's report, the console, the time to the marker and qemu's exit. */
  private record Boot(GuestReport report, String console, long markerMillis, Optional<Integer> exit) {}

  private static Boot boot(Built b, List<Path> writableDisks, String cmdline, String consoleName)
      throws IOException, InterruptedException {
    QemuGuest.Spec spec = new QemuGuest.Spec(b.kernel(), b.initrd(), List.of(b.base()),
        writableDisks, cmdline, 1024, BOOT_BOUND);
    Path console = b.work().resolve(consoleName);
    try (QemuGuest guest = QemuGuest.start(spec, console)) {
      Optional<Matcher> result = guest.awaitConsole(GuestReport.RESULT, BOOT_BOUND);
      long markerMillis = guest.elapsed().toMillis();
      if (result.isEmpty()) {
        fail("no result line on the console within " + BOOT_BOUND + "; console tail:\n"
            + tail(guest.console(), 60));
      }
      Optional<Integer> exit = guest.awaitExit(Duration.ofSeconds(90));
      String text = guest.console();
      return new Boot(GuestReport.parse(text), text, markerMillis, exit);
    }
  }

  private static void assertAllPassed(Boot boot, List<String> checks) {
    for (String check : checks) {
      assertTrue(boot.report().checks().containsKey(check),
          "check " + check + " did not run; console tail:\n" + tail(boot.console(), 60));
      assertNull(boot.report().checks().get(check), "check " + check + " failed in the guest");
    }
    assertTrue(boot.report().resultPass(), "the guest reported FAIL; console tail:\n" + tail(boot.console(), 80));
    assertEquals(checks.size(), boot.report().passed(), "checks passed in the guest");
    assertTrue(boot.report().jvmToMountMillis() > 0, "the boot script reported no start time");
    assertTrue(boot.console().contains("UNIONFS-VM-POWEROFF"), "the guest did not reach its poweroff");
    assertEquals(Optional.of(0), boot.exit(),
        "qemu did not end cleanly after the guest's poweroff (empty: still running after 90 s)");
  }

  @Test
  void unionRoot_bootedFromInitrd_worksForRootAndUserAndShutsDownCleanly()
      throws IOException, InterruptedException {
    long testStart = System.nanoTime();
    Built b = build();
    Boot boot = boot(b, List.of(),
        "root=/dev/vda union union.upper=tmpfs init=/sbin/union-test-init panic=-1", "console.log");
    String measurements = String.format(
        "UNIONFS-VM-MEASURE: boot to result marker %d ms (host wall), guest uptime at init %d s,"
            + " JVM exec to mount live %d ms (in the guest), initrd %d KiB, kernel fetch %d ms,"
            + " build-runtime %d ms, make-initrd %d ms, test wall %d ms",
        boot.markerMillis(), GuestReport.uptimeSecondsAt(boot.console(), "UNIONFS-VM-BOOTED").orElse(-1),
        boot.report().jvmToMountMillis(), Files.size(b.initrd()) / 1024, b.fetchMillis(),
        b.runtimeMillis(), b.initrdMillis(), millisSince(testStart));
    System.out.println(measurements);
    Files.writeString(b.work().resolve("measurements.txt"), measurements + "\n");
    assertAllPassed(boot, CHECKS);
  }

  /**
   * The upper on a disk of its own ({@code union.upper=LABEL=...}, an ext4 image as /dev/vdb): the
   * first boot runs every check with the upper on that device; a second boot from the same disks
   * finds every change of the first (copy-up, whiteout, opaque directory, rename, new files, a
   * user's file, the file written after the shutdown killers), which the kernel flushed after the
   * read-only remount; the base image is read-only to qemu throughout.
   */
  @Test
  void unionRoot_upperOnADevice_changesPersistAcrossReboot() throws IOException, InterruptedException {
    long testStart = System.nanoTime();
    Built b = build();
    Path upper = b.work().resolve("upper.ext4");
    Files.deleteIfExists(upper);
    Processes.run(Duration.ofSeconds(30), "truncate", "-s", "64M", upper.toString())
        .requireSuccess("truncate");
    Processes.run(Duration.ofMinutes(1), "mkfs.ext4", "-q", "-F", "-L", "unionupper", upper.toString())
        .requireSuccess("mkfs.ext4");
    String cmdline = "root=/dev/vda union union.upper=LABEL=unionupper init=/sbin/union-test-init panic=-1";
    List<String> firstChecks = new ArrayList<>(CHECKS);
    firstChecks.add(1, "upper_on_device");
    Boot first = boot(b, List.of(upper), cmdline, "console-device-1.log");
    assertAllPassed(first, firstChecks);
    Boot second = boot(b, List.of(upper), cmdline + " union.test=persisted", "console-device-2.log");
    assertAllPassed(second, List.of("root_is_union", "upper_on_device", "persisted_copy_up",
        "persisted_whiteout", "persisted_opaque_dir", "persisted_rename", "persisted_new_tree",
        "persisted_user_file", "persisted_after_killers"));
    System.out.printf("UNIONFS-VM-MEASURE: device upper: boot 1 to result marker %d ms, boot 2 %d ms,"
        + " JVM exec to mount live %d / %d ms (in the guest), test wall %d ms%n", first.markerMillis(),
        second.markerMillis(), first.report().jvmToMountMillis(), second.report().jvmToMountMillis(),
        millisSince(testStart));
  }

  /** The initrd that mkinitramfs made carries what the hook adds: runtime, libfuse, fuse.ko. */
  private static void assertInitrdHoldsTheHooksWork(Path initrd, Path runtime) {
    Processes.Result listing = Processes.run(Duration.ofMinutes(2), "lsinitramfs",
        initrd.toString());
    listing.requireSuccess("listing the initrd");
    String files = listing.stdout();
    String prefix = runtime.toString().substring(1);
    for (String expected : List.of(prefix + "/jre/bin/java", prefix + "/unionfs-java.jsa",
        prefix + "/jars/unionfs-java-cli.jar", "usr/lib/libfuse.so.2",
        "scripts/local-bottom/unionfs-java", "scripts/init-premount/unionfs-java",
        "conf/conf.d/unionfs-java")) {
      assertTrue(Pattern.compile("(?m)^" + Pattern.quote(expected) + "$").matcher(files).find(),
          "the initrd has no " + expected);
    }
    assertTrue(Pattern.compile("(?m)/fuse\\.ko$").matcher(files).find(),
        "the initrd has no fuse module");
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(String text, int lines) {
    String[] all = text.replace("\r", "").split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
