package org.unionfsjava.e2e.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.vm.support.QemuGuest;
import org.unionfsjava.e2e.vm.support.VmScripts;

/**
 * Issue 17, item 5 booted for real: a Debian 12 guest with systemd as PID 1 on an ext4 root where
 * the .deb of the packaging module was installed by {@code dpkg -i} (scripts/vm/make-package-root
 * over the cached base of scripts/vm/make-package-base), one union mounted from /etc/fstab at
 * boot (after the branches' disk, {@code x-systemd.requires-mounts-for}) and one served by the
 * template unit {@code unionfs-java@srv-guest1.service}. In one boot the guest's check
 * (scripts/vm/package-check) finds both units active and both unions working, their mount lines in
 * the journal and no log file written; it prints {@code systemctl status} of both units and their
 * journal, then powers off. From the console (journald forwards to it) the test sees both unions
 * unmounted during systemd's shutdown and the kernel's power-off; afterwards the branches' disk is
 * clean (e2fsck) and {@code unionfs-java check} finds nothing in either upper: no work
 * temporaries, no damage, the guest's changes there.
 *
 * <p>Needs root and scripts/packages.txt's qemu-system-x86, initramfs-tools-core, mmdebstrap,
 * e2fsprogs, and the package built ({@code mvn -pl packaging -am install}). The base is cached in
 * {@code -Dunionfs.vm.cache}; a cold build takes a few minutes. {@code -Dunionfs.vm=false} skips
 * it. qemu runs under an outer {@code timeout} and is killed by its PID when the test ends.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class PackageBootVmTest {

  private static final List<String> CHECKS = List.of("pid1_is_systemd", "package_installed",
      "class_archive_made", "fstab_unit_active", "fstab_union_mounted", "fstab_after_branches",
      "template_active", "template_after_branches", "template_union_mounted", "template_notify", "fstab_union_rw",
      "template_union_rw", "journal_has_fstab_mount", "journal_has_template_mount",
      "no_log_files");
  private static final List<String> TOOLS = List.of("qemu-system-x86_64", "mkinitramfs",
      "mmdebstrap", "busybox", "cpio", "unshare", "chroot", "apt-get", "dpkg-deb", "timeout",
      "mkfs.ext4", "e2fsck", "losetup");
  /** From qemu's start to the check's result line: kernel, initrd, systemd, two unions' JVMs. */
  private static final Duration BOOT_BOUND = Duration.ofMinutes(10);
  /** From the result line to qemu's exit: systemd's shutdown. */
  private static final Duration SHUTDOWN_BOUND = Duration.ofMinutes(4);

  private static final Pattern CHECK = Pattern.compile("UNIONFS-PKG-CHECK: (\\S+) (ok|FAIL)(.*)");
  private static final Pattern RESULT = Pattern.compile("UNIONFS-PKG-RESULT: (PASS|FAIL) n=(\\d+)");
  private static final Pattern BLOCK = Pattern.compile(
      "(?s)UNIONFS-PKG-BEGIN: ([^\n]*)\n(.*?)UNIONFS-PKG-END: \\1");
  private static final Pattern CHECK_PREFIX = Pattern.compile(
      "(?m)^\\[\\s*[\\d.]+\\] union-pkg-check\\[\\d+\\]: ");
  private static final Pattern FAILED_UNITS = Pattern.compile("UNIONFS-PKG-FAILED-UNITS:([^\n]*)");
  private static final List<Pattern> BAD = List.of(
      Pattern.compile("Transport endpoint is not connected"),
      Pattern.compile("(?i)emergency (mode|shell)"),
      Pattern.compile("Kernel panic"),
      Pattern.compile("Failed unmounting"),
      Pattern.compile("(?i)timed out"),
      Pattern.compile("UNIONFS-PKG-CHECK: \\S+ FAIL"));

  @Test
  void debianPackage_fstabUnionAndTemplateUnit_underSystemd_mountedAtBoot_unmountedAtShutdown()
      throws IOException, InterruptedException {
    long testStart = System.nanoTime();
    VmScripts.requireVmEnvironment(TOOLS);
    Path repo = VmScripts.repoFromSystemProperty();
    VmScripts scripts = new VmScripts(repo);
    Path work = scripts.workDir("vm-package");
    Path deb = debOf(repo);

    VmScripts.Kernel kernel = scripts.kernel();
    long t0 = System.nanoTime();
    Processes.Result baseRun = scripts.run(Duration.ofMinutes(20), "scripts/vm/make-package-base",
        VmScripts.cacheDir());
    Path base = Path.of(VmScripts.lastLine(baseRun));
    String baseBuild = (baseRun.stderr().contains("built in") ? "cold build " : "cached ")
        + millisSince(t0) + " ms";
    t0 = System.nanoTime();
    String[] images = scripts.run(Duration.ofMinutes(5), "scripts/vm/make-package-root",
        base.toString(), deb.toString(), work.toString()).stdout().strip().split("\n");
    Path root = Path.of(images[images.length - 2].strip());
    Path branches = Path.of(images[images.length - 1].strip());
    long rootMillis = millisSince(t0);
    Path initrd = work.resolve("initrd.img");
    t0 = System.nanoTime();
    scripts.run(Duration.ofMinutes(5), "scripts/vm/make-initrd", kernel.dir().toString(), "-",
        initrd.toString(), "virtio_pci", "virtio_blk", "ext4", "fuse");
    long initrdMillis = millisSince(t0);

    QemuGuest.Spec spec = new QemuGuest.Spec(kernel.vmlinuz(), initrd, List.of(),
        List.of(root, branches), "root=/dev/vda rw panic=-1", 1536,
        BOOT_BOUND.plus(SHUTDOWN_BOUND));
    String console;
    long resultMillis;
    long exitMillis;
    Optional<Integer> exit;
    try (QemuGuest guest = QemuGuest.start(spec, work.resolve("console-package.log"))) {
      Optional<Matcher> result = guest.awaitConsole(RESULT, BOOT_BOUND);
      resultMillis = guest.elapsed().toMillis();
      if (result.isEmpty()) {
        fail("no result line on the console within " + BOOT_BOUND + "; console tail:\n"
            + tail(guest.console(), 100));
      }
      exit = guest.awaitExit(SHUTDOWN_BOUND);
      exitMillis = guest.elapsed().toMillis();
      console = guest.console().replace("\r", "");
    }

    Map<String, String> checks = new LinkedHashMap<>();
    Matcher check = CHECK.matcher(console);
    while (check.find()) {
      checks.putIfAbsent(check.group(1), check.group(2).equals("ok") ? null : check.group(3).strip());
    }
    Map<String, String> blocks = new LinkedHashMap<>();
    Matcher block = BLOCK.matcher(console);
    while (block.find()) {
      // the check's output reached the console through journald: drop that line prefix
      blocks.putIfAbsent(block.group(1), CHECK_PREFIX.matcher(block.group(2)).replaceAll(""));
    }
    int resultAt = console.indexOf("UNIONFS-PKG-RESULT:");
    String shutdown = console.substring(resultAt);
    List<String> shutdownLines = new ArrayList<>();
    for (String line : shutdown.split("\n")) {
      if (line.matches(".*(unionfs|union|guest1|Unmount|branches|Power down).*")) {
        shutdownLines.add(line.strip());
      }
    }
    for (Map.Entry<String, String> b : blocks.entrySet()) {
      System.out.println("UNIONFS-VM-PACKAGE: $ " + b.getKey() + "\n" + b.getValue().strip());
    }
    System.out.println("UNIONFS-VM-PACKAGE: shutdown, from the console:\n"
        + String.join("\n", shutdownLines));

    for (String name : CHECKS) {
      assertTrue(checks.containsKey(name),
          "check " + name + " did not run; console tail:\n" + tail(console, 100));
      assertEquals(null, checks.get(name), "check " + name + " failed in the guest");
    }
    Matcher failedUnits = FAILED_UNITS.matcher(console);
    assertTrue(failedUnits.find(), "the check did not list systemd's failed units");
    assertEquals("", failedUnits.group(1).strip(), "systemd's failed units");
    String mountStatus = blocks.getOrDefault("systemctl status mnt-union.mount", "");
    assertTrue(mountStatus.contains("Active: active (mounted)"), mountStatus);
    assertTrue(mountStatus.contains("Where: /mnt/union"), mountStatus);
    String templateStatus = blocks.getOrDefault("systemctl status unionfs-java@srv-guest1.service", "");
    assertTrue(templateStatus.contains("Active: active (running)"), templateStatus);
    assertTrue(templateStatus.contains("Status: \"serving /srv/guest1\""), templateStatus);
    String journal = blocks.getOrDefault("journalctl unionfs-java", "");
    assertTrue(journal.contains("lifecycle: mounted /mnt/union (upper /srv/branches/upper"), journal);
    assertTrue(journal.contains("lifecycle: mounted /srv/guest1 (upper /srv/branches/guest1-upper"),
        journal);

    // the shutdown: both unions unmounted while the journal still ran, then the power-off
    assertTrue(shutdown.contains("lifecycle: unmounted /mnt/union"),
        "no unmount of the fstab union at shutdown; console tail:\n" + tail(console, 80));
    assertTrue(shutdown.contains("lifecycle: unmounted /srv/guest1"),
        "no unmount of the template's union at shutdown; console tail:\n" + tail(console, 80));
    for (Pattern bad : BAD) {
      Matcher m = bad.matcher(console);
      assertFalse(m.find(), "the console shows '" + (m.find(0) ? m.group() : bad)
          + "'; console tail:\n" + tail(console, 80));
    }
    assertTrue(console.contains("reboot: Power down"),
        "the kernel's power-off was not reached; console tail:\n" + tail(console, 60));
    assertEquals(Optional.of(0), exit, "qemu did not end after systemd's poweroff");

    // the branches' disk after the shutdown: clean, and the uppers as the guest left them
    Processes.Result fsck = Processes.run(Duration.ofMinutes(2), "e2fsck", "-fn", branches.toString());
    assertEquals(0, fsck.exit(), "the branches' disk is not clean: " + fsck.stdout() + fsck.stderr());
    Processes.Result uppers = Processes.run(Duration.ofMinutes(3), "unshare", "--mount",
        "--propagation", "private", "sh", "-c", String.join("\n",
            "set -e",
            "m=$(mktemp -d)",
            "mount -o loop,ro,noload \"$1\" \"$m\"",
            "for u in upper guest1-upper; do",
            "  echo \"== $u: $(cat \"$m/$u/new.txt\"); copyme: $(tr '\\n' ' ' <\"$m/$u/copyme.txt\")\"",
            "  echo \"work temporaries: $(find \"$m/$u/.unionfs-java/tmp\" -mindepth 1 2>/dev/null | wc -l)\"",
            "  \"$2\" check -q --lower \"$m/base\" \"$m/$u\" && echo \"check $u: exit 0\"",
            "done"), "check-uppers", branches.toString(), TestUnion.launcher().toString());
    System.out.println("UNIONFS-VM-PACKAGE: the uppers after the shutdown:\n" + uppers.stdout()
        + uppers.stderr());
    assertEquals(0, uppers.exit(), "unionfs-java check of the uppers: " + uppers.stdout()
        + uppers.stderr());
    assertTrue(uppers.stdout().contains("== upper: written in /mnt/union; copyme: original changed"),
        uppers.stdout());
    assertTrue(uppers.stdout().contains("== guest1-upper: written in /srv/guest1; copyme: original"
        + " changed"), uppers.stdout());
    assertFalse(uppers.stdout().matches("(?s).*work temporaries: [1-9].*"), uppers.stdout());
    assertTrue(uppers.stdout().contains("check upper: exit 0")
        && uppers.stdout().contains("check guest1-upper: exit 0"), uppers.stdout());

    System.out.printf("UNIONFS-VM-MEASURE: package: kernel fetch %d ms, base %s, root with dpkg -i"
        + " %d ms, make-initrd %d ms, boot to checks %d ms, shutdown %d ms, test wall %d ms%n",
        kernel.fetchMillis(), baseBuild, rootMillis, initrdMillis, resultMillis,
        exitMillis - resultMillis, millisSince(testStart));
  }

  /** The .deb the packaging module built for the project's version. */
  private static Path debOf(Path repo) throws IOException {
    String version = Files.readString(repo.resolve("pom.xml")).replaceAll(
        "(?s).*?<artifactId>unionfs-java-parent</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
    Path deb = repo.resolve("packaging/target/unionfs-java_" + version + "_all.deb");
    assertTrue(Files.isRegularFile(deb), "the package was not built (mvn -pl packaging -am"
        + " install): " + deb);
    return deb;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(String text, int lines) {
    String[] all = text.replace("\r", "").split("\n");
    return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }
}
