package org.unionfsjava.fs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code -o} options a user may pass to a union's mount, checked before anything is
 * mounted so that a mistake is answered with its reason instead of a failed mount.
 *
 * <p>On libfuse 3 the accepted set is what libfuse 3.14's low-level session and mount code take
 * (lib/fuse_lowlevel.c {@code fuse_ll_opts}, lib/mount.c {@code fuse_mount_opts}): anything else
 * makes {@code fuse_session_new} fail with "unknown option(s)". Of those, the ones the union
 * sets itself ({@code fsname}, {@code subtype}: {@code fuse.unionfs-java} is how the union finds
 * its mounts) and the ones for block-device filesystems ({@code blkdev}, {@code blksize}, which
 * the kernel refuses for a union) are refused too; options of libfuse 2's high-level API that
 * libfuse 3 dropped or that the union sets per answer ({@code attr_timeout}, {@code
 * kernel_cache}, ...) are refused with what to use instead. On libfuse 2 ({@code
 * -Dunionfs.fuse=2}) only the union's own rules apply. The SELinux context options are refused
 * where the kernel runs no SELinux (it would refuse the mount with EINVAL). {@code remount} is
 * refused everywhere:
 * the options of a live union cannot be changed yet. As with mount(8), the last of two
 * contradicting flags ({@code ro}, {@code rw}) wins.
 */
public final class FuseOptions {

  /** Flags libfuse 3.14 takes as they are. */
  private static final Set<String> FLAGS = Set.of(
      "allow_other", "allow_root", "auto_unmount", "default_permissions", "debug",
      "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
      "async", "sync", "dirsync", "atime", "noatime");

  /** Options libfuse 3.14 takes with a value (the name with its {@code =}). */
  private static final Set<String> VALUED = Set.of(
      "max_read=", "context=", "fscontext=", "defcontext=", "rootcontext=", "user=");

  /** Options the union refuses, with the reason (names with {@code =} take a value). */
  private static final Map<String, String> REFUSED = Map.ofEntries(
      Map.entry("remount", "unionfs-java mount does not remount; for ro/rw and the mount"
          + " flags run mount -o remount,ro MOUNTPOINT (the kernel switches a live union), for"
          + " anything else unmount it and mount it again (unionfs-java umount MOUNTPOINT, then"
          + " unionfs-java mount ... MOUNTPOINT); the upper keeps every change"),
      Map.entry("fsname=", "is set by the union itself"),
      Map.entry("subtype=", "is set by the union itself (fuse.unionfs-java is how it finds"
          + " its mounts)"),
      Map.entry("blkdev", "is for filesystems on a block device; a union has none"),
      Map.entry("blksize=", "is for filesystems on a block device; a union has none"),
      Map.entry("fd=", "is set by libfuse itself"),
      Map.entry("rootmode=", "is set by libfuse itself"),
      Map.entry("user_id=", "is set by libfuse itself"),
      Map.entry("group_id=", "is set by libfuse itself"));

  /** libfuse 2 (high-level) options libfuse 3 does not take, and what to use instead. */
  private static final Map<String, String> LIBFUSE2 = Map.ofEntries(
      Map.entry("attr_timeout=", "use --cache-ttl (and --lower-mode)"),
      Map.entry("entry_timeout=", "use --cache-ttl (and --lower-mode)"),
      Map.entry("negative_timeout=", "use --cache-ttl (and --lower-mode)"),
      Map.entry("ac_attr_timeout=", "use --cache-ttl (and --lower-mode)"),
      Map.entry("kernel_cache", "use --lower-mode fixed"),
      Map.entry("auto_cache", "the union revalidates in --lower-mode changing by itself"),
      Map.entry("noauto_cache", "use --lower-mode"),
      Map.entry("nonempty", "not needed: libfuse 3 mounts on a directory that is not empty"),
      Map.entry("use_ino", "the union always reports its own inode numbers"),
      Map.entry("readdir_ino", "the union always reports its own inode numbers"),
      Map.entry("big_writes", "libfuse 3 always writes in large blocks"),
      Map.entry("max_write=", "the union negotiates it with the kernel"),
      Map.entry("max_readahead=", "the union negotiates it with the kernel"),
      Map.entry("direct_io", "not supported by the union"),
      Map.entry("hard_remove", "the union keeps unlinked open files itself"),
      Map.entry("umask=", "the union shows the branches' modes"),
      Map.entry("uid=", "the union shows the branches' owners"),
      Map.entry("gid=", "the union shows the branches' owners"));

  /** Mount flags of mount(8) that libfuse 3.14 does not know, with a hint. */
  private static final Map<String, String> MOUNT8_ONLY = Map.of(
      "relatime", "relatime is the default; leave it out",
      "norelatime", "use atime",
      "strictatime", "use atime",
      "nodiratime", "not supported by libfuse 3.14",
      "lazytime", "not supported by libfuse 3.14",
      "nolazytime", "not supported by libfuse 3.14",
      "nosymfollow", "not supported by libfuse 3.14",
      "symfollow", "not supported by libfuse 3.14");

  /** Where a kernel running SELinux shows it; the context options need it. */
  private static final Path SELINUX = Path.of("/sys/fs/selinux");

  private FuseOptions() {}

  /**
   * The reason the first unacceptable option cannot be used, as one phrase starting with the
   * option in quotes, or empty if all are acceptable.
   *
   * @param mountPoint named in the advice for {@code remount}
   */
  public static Optional<String> problem(List<String> options, FuseLibrary library,
      Path mountPoint) {
    for (String option : options) {
      Optional<String> problem = problem(option, library);
      if (problem.isPresent()) {
        String where = mountPoint == null ? "MOUNTPOINT"
            : mountPoint.toAbsolutePath().normalize().toString();
        return Optional.of(problem.get().replace("MOUNTPOINT", where));
      }
    }
    return Optional.empty();
  }

  private static Optional<String> problem(String option, FuseLibrary library) {
    String quoted = "-o '" + option + "'";
    if (option.isEmpty()) {
      return Optional.of("-o has an empty option");
    }
    String key = key(option);
    if (REFUSED.containsKey(key)) {
      String reason = REFUSED.get(key);
      return Optional.of(key.equals("remount") ? quoted + ": " + reason
          : quoted + ": " + option.replaceFirst("=.*", "=") + " " + reason);
    }
    if (library != FuseLibrary.LIBFUSE3) {
      return Optional.empty(); // libfuse2 parses its own, larger set; it says what it refuses
    }
    if (FLAGS.contains(option)) {
      return Optional.empty();
    }
    if (VALUED.contains(key) && option.length() > key.length()) {
      if (key.equals("max_read=") && !isUnsigned32(option.substring(key.length()))) {
        return Optional.of(quoted + ": max_read= takes a number of bytes (0 to 4294967295)");
      }
      if (key.endsWith("context=") && !Files.isDirectory(SELINUX)) {
        return Optional.of(quoted + ": " + key + " needs SELinux, which this machine does not"
            + " run (no " + SELINUX + "); the kernel would refuse the mount");
      }
      return Optional.empty();
    }
    if (LIBFUSE2.containsKey(key)) {
      return Optional.of(quoted + ": a libfuse 2 option that libfuse 3 does not take; "
          + LIBFUSE2.get(key));
    }
    if (MOUNT8_ONLY.containsKey(option)) {
      return Optional.of(quoted + ": libfuse 3 does not take it; " + MOUNT8_ONLY.get(option));
    }
    return Optional.of(quoted + ": unknown FUSE option (libfuse 3 takes " + accepted() + ")");
  }

  /** The option's name, with its {@code =} if it has a value ({@code max_read=}, {@code ro}). */
  private static String key(String option) {
    int eq = option.indexOf('=');
    return eq < 0 ? option : option.substring(0, eq + 1);
  }

  private static boolean isUnsigned32(String text) {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
      return false;
    }
    return Long.parseLong(text) <= 0xffffffffL;
  }

  /** What libfuse 3 takes, for the message: the flags, then the options with values. */
  static String accepted() {
    return String.join(", ", List.of("allow_other", "allow_root", "auto_unmount",
        "default_permissions", "ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
        "async", "sync", "dirsync", "atime", "noatime", "debug", "max_read=N", "context=",
        "fscontext=", "defcontext=", "rootcontext=", "user="));
  }
}
