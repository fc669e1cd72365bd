package org.unionfsjava.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The -o options checked against libfuse 3.14's tables before a mount. */
@DisplayName("FuseOptions: what libfuse 3 and the kernel take, refused with the reason otherwise")
class FuseOptionsTest {

  private static Optional<String> check(String... options) {
    return FuseOptions.problem(List.of(options), FuseLibrary.LIBFUSE3, Path.of("/mnt/u"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"allow_other", "allow_root", "auto_unmount", "default_permissions", "ro",
      "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "async", "sync", "dirsync", "atime",
      "noatime", "debug", "max_read=131072", "max_read=0", "user=alice"})
  @DisplayName("libfuse 3.14's own options pass")
  void problem_libfuse3Options_none(String option) {
    assertEquals(Optional.empty(), check(option));
  }

  @Test
  @DisplayName("an unknown option is named, with what libfuse 3 takes")
  void problem_unknown_namesItAndTheAcceptedOnes() {
    assertEquals(Optional.of("-o 'nonsense_opt': unknown FUSE option (libfuse 3 takes "
        + FuseOptions.accepted() + ")"), check("allow_other", "nonsense_opt", "also_bad"));
    assertTrue(check("allow_other=1").get().startsWith("-o 'allow_other=1': unknown FUSE option"));
  }

  @Test
  @DisplayName("remount is refused with what to do instead, naming the mount point")
  void problem_remount_saysWhatToDo() {
    assertEquals(Optional.of("-o 'remount': unionfs-java mount does not remount; for ro/rw and"
        + " the mount flags run mount -o remount,ro /mnt/u (the kernel switches a live union), for"
        + " anything else unmount it and mount it again (unionfs-java umount /mnt/u, then"
        + " unionfs-java mount ... /mnt/u); the upper keeps every change"), check("remount", "ro"));
  }

  @Test
  @DisplayName("options the union sets itself, or that need a block device, are refused")
  void problem_unionOwnedAndBlockDevice_refused() {
    assertEquals(Optional.of("-o 'subtype=x': subtype= is set by the union itself"
        + " (fuse.unionfs-java is how it finds its mounts)"), check("subtype=x"));
    assertEquals(Optional.of("-o 'fsname=y': fsname= is set by the union itself"),
        check("fsname=y"));
    assertEquals(Optional.of("-o 'blkdev': blkdev is for filesystems on a block device; a union"
        + " has none"), check("blkdev"));
    assertTrue(check("blksize=4096").get().startsWith("-o 'blksize=4096': blksize= is for"));
    assertTrue(check("rootmode=40000").get().endsWith("is set by libfuse itself"));
  }

  @Test
  @DisplayName("libfuse 2 options say what to use instead; mount(8) flags libfuse 3 lacks say so")
  void problem_libfuse2AndMount8Options_hint() {
    assertEquals(Optional.of("-o 'attr_timeout=5': a libfuse 2 option that libfuse 3 does not"
        + " take; use --cache-ttl (and --lower-mode)"), check("attr_timeout=5"));
    assertEquals(Optional.of("-o 'kernel_cache': a libfuse 2 option that libfuse 3 does not take;"
        + " use --lower-mode fixed"), check("kernel_cache"));
    assertEquals(Optional.of("-o 'relatime': libfuse 3 does not take it; relatime is the default;"
        + " leave it out"), check("relatime"));
  }

  @Test
  @DisplayName("max_read needs an unsigned 32-bit number")
  void problem_maxReadNotANumber_refused() {
    assertEquals(Optional.of("-o 'max_read=abc': max_read= takes a number of bytes (0 to"
        + " 4294967295)"), check("max_read=abc"));
    assertTrue(check("max_read=4294967296").isPresent());
    assertTrue(check("max_read=").isPresent());
  }

  @Test
  @DisplayName("the SELinux context options are refused where no SELinux runs")
  void problem_contextWithoutSelinux_refused() {
    Optional<String> problem = check("context=system_u:object_r:tmp_t:s0");
    if (Files.isDirectory(Path.of("/sys/fs/selinux"))) {
      assertEquals(Optional.empty(), problem);
    } else {
      assertEquals(Optional.of("-o 'context=system_u:object_r:tmp_t:s0': context= needs SELinux,"
          + " which this machine does not run (no /sys/fs/selinux); the kernel would refuse the"
          + " mount"), problem);
    }
  }

  @Test
  @DisplayName("on libfuse 2 only the union's own rules apply")
  void problem_libfuse2_onlyUnionRules() {
    assertEquals(Optional.empty(), FuseOptions.problem(List.of("kernel_cache", "attr_timeout=5"),
        FuseLibrary.LIBFUSE2, Path.of("/m")));
    assertTrue(FuseOptions.problem(List.of("remount"), FuseLibrary.LIBFUSE2, Path.of("/m"))
        .isPresent());
  }
}
