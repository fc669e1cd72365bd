package org.unionfsjava.cli;

import org.unionfsjava.fs.MountTable;
import org.unionfsjava.model.WhiteoutChoice;
import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.fs.Tuning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.unionfsjava.fs.LowerMode;
import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.model.Errno;

/** Parsing of {@code unionfs-java mount} into {@link MountConfig}, and its exit codes. */
class MountCommandTest {

  @TempDir Path temp;
  private TestMachine machine;

  @BeforeEach
  void setUp() throws IOException {
    machine = new TestMachine(temp);
  }

  private MountConfig parsedOptions(List<String> args) {
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode(), result.err());
    assertEquals(1, machine.mountCalls.size(), result.err());
    return machine.mountCalls.get(0);
  }

  @Test
  void mount_onlyRequiredOptions_usesDefaults() {
    MountConfig options = parsedOptions(machine.mountArgs());
    assertEquals(new MountConfig(machine.upper, List.of(machine.lower), machine.mountPoint, null,
        WhiteoutChoice.AUTO, LowerMode.CHANGING, Duration.ofSeconds(1), List.of(), false,
        Tuning.defaults()), options);
  }

  @Test
  void mount_whiteoutFormat_acceptsTheDetectorsChoicesAndRefusesOci() {
    for (WhiteoutChoice choice : WhiteoutChoice.values()) {
      List<String> args = machine.mountArgs();
      args.addAll(1, List.of("--whiteout-format", choice.cliName()));
      machine.mountCalls.clear();
      assertEquals(choice, parsedOptions(args).whiteout());
    }
    machine.mountCalls.clear();
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--whiteout-format", "oci"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().contains("expected auto, overlay or aufs but was 'oci'"), result.err());
    assertEquals(List.of(), machine.mountCalls);
  }

  @Test
  void mount_tuningOfTheHost_reachesTheConfiguration() {
    machine.tuning = new Tuning(org.unionfsjava.fs.FuseLibrary.LIBFUSE3, 777, true, true, true,
        true, false, true, 0, 3, true, java.util.Set.of());
    MountConfig options = parsedOptions(machine.mountArgs());
    assertEquals(machine.tuning, options.tuning());
  }

  @Test
  void mount_everyOption_isPassedOn() {
    List<String> args = new ArrayList<>(List.of("mount", "--foreground",
        "--upper", machine.upper.toString(),
        "--lower", machine.lower.toString(), "--lower", machine.lower2.toString(),
        "--whiteout-format", "aufs", "--workdir", machine.upper.resolve("work").toString(),
        "--lower-mode", "fixed", "--cache-ttl", "500ms",
        "-o", "allow_other,default_permissions", "-o", "noatime", "--fuse-debug", "-vv",
        machine.mountPoint.toString()));
    MountConfig options = parsedOptions(args);
    assertEquals(new MountConfig(machine.upper, List.of(machine.lower, machine.lower2),
        machine.mountPoint, machine.upper.resolve("work"), WhiteoutChoice.AUFS, LowerMode.FIXED,
        Duration.ofMillis(500), List.of("allow_other", "default_permissions", "noatime"), true,
        Tuning.defaults()), options);
  }

  @Test
  void mount_relativePaths_areResolved() {
    Path cwd = Path.of("").toAbsolutePath();
    TestMachine.Result result = machine.run("mount", "--foreground",
        "--upper", cwd.relativize(machine.upper).toString(),
        "--lower", cwd.relativize(machine.lower).toString(),
        cwd.relativize(machine.mountPoint).toString());
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode(), result.err());
    assertEquals(machine.upper, machine.mountCalls.get(0).upper());
  }

  @Test
  void mount_unknownWhiteoutFormat_exits2() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--whiteout-format", "btrfs"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().startsWith("unionfs-java: Invalid value for option"
        + " '--whiteout-format': expected auto, overlay or aufs but was 'btrfs'"), result.err());
    assertEquals(List.of(), machine.mountCalls);
  }

  @Test
  void mount_unknownLowerMode_exits2() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--lower-mode", "sometimes"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().contains("expected changing or fixed"), result.err());
  }

  @Test
  void mount_badCacheTtl_exits2() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--cache-ttl", "soon"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().contains("'soon' is not a duration"), result.err());
  }

  @Test
  void mount_emptyFuseOption_exits2() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("-o", "allow_other,,ro"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode(), result.err());
    assertTrue(result.err().contains("-o has an empty option"), result.err());
    assertEquals(List.of(), machine.mountCalls);
  }

  @Test
  void mount_cacheTtlBeyondADay_exits2SayingTheLongest() {
    for (String ttl : List.of("999999999999h", "25h", "86400001ms")) {
      List<String> args = machine.mountArgs();
      args.addAll(1, List.of("--cache-ttl", ttl));
      TestMachine.Result result = machine.run(args.toArray(String[]::new));
      assertEquals(ExitStatus.USAGE.code(), result.exitCode(), result.err());
      assertTrue(result.err().startsWith("unionfs-java: Invalid value for option '--cache-ttl': '"
          + ttl + "' is longer than the longest cache TTL, 24h (for lowers that never change"
          + " while mounted use --lower-mode fixed)\n"), result.err());
      assertEquals(List.of(), machine.mountCalls);
    }
  }

  @Test
  void mount_cacheTtlOfADay_isAcceptedAndSurvivesTheBackgroundReEncoding() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--cache-ttl", "24h"));
    MountConfig options = parsedOptions(args);
    assertEquals(Duration.ofHours(24), options.cacheTtl());
    machine.mountCalls.clear();
    assertEquals(options, parsedOptions(MountCommand.foregroundArguments(options, 0)));
  }

  @Test
  void mount_unknownFuseOption_exits2WithLibfusesReasonBeforeMounting() {
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("-o", "allow_other,nonsense_opt"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode(), result.err());
    assertTrue(result.err().startsWith("unionfs-java: -o 'nonsense_opt': unknown FUSE option"
        + " (libfuse 3 takes allow_other, "), result.err());
    assertEquals(List.of(), machine.mountCalls);
  }

  @Test
  void mount_remountOfAMountedUnion_exits2SayingItIsNotSupported() throws Exception {
    machine.addMount(machine.mountPoint, MountTable.FS_TYPE);
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("-o", "remount,ro"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode(), result.err());
    assertTrue(result.err().startsWith("unionfs-java: -o 'remount': unionfs-java mount does not"
        + " remount; for ro/rw and the mount flags run mount -o remount,ro " + machine.mountPoint
        + " (the kernel switches a live union), for anything else unmount it and mount it again"
        + " (unionfs-java umount " + machine.mountPoint + ", then unionfs-java mount ... "
        + machine.mountPoint + "); the upper keeps every change\n"),
        result.err());
    assertEquals(List.of(), machine.mountCalls);
  }

  @Test
  void mount_noLower_exits2() {
    TestMachine.Result result = machine.run("mount", "--upper", machine.upper.toString(),
        machine.mountPoint.toString());
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().startsWith("unionfs-java: Missing required option: '--lower=DIR'"),
        result.err());
    assertTrue(result.err().contains("Run 'unionfs-java mount --help' for usage."));
  }

  @Test
  void mount_noMountPoint_exits2() {
    TestMachine.Result result = machine.run("mount", "--upper", machine.upper.toString(),
        "--lower", machine.lower.toString());
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().contains("MOUNTPOINT"), result.err());
  }

  @Test
  void mount_twoMountPoints_exits2() {
    List<String> args = machine.mountArgs();
    args.add(machine.lower2.toString());
    assertEquals(ExitStatus.USAGE.code(), machine.run(args.toArray(String[]::new)).exitCode());
  }

  @Test
  void mount_unknownOption_exits2AndSuggests() {
    List<String> args = machine.mountArgs();
    args.add(1, "--uper");
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().contains("--upper"), result.err());
  }

  @Test
  void mount_formatMismatch_exits5() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.FORMAT_MISMATCH,
        "the upper uses the aufs whiteout format, not overlay", machine.upper.toString(),
        Errno.EINVAL, null));
    List<String> args = machine.mountArgs();
    args.addAll(1, List.of("--whiteout-format", "overlay"));
    TestMachine.Result result = machine.run(args.toArray(String[]::new));
    assertEquals(ExitStatus.FORMAT_MISMATCH.code(), result.exitCode());
    assertEquals("unionfs-java: the upper uses the aufs whiteout format, not overlay (EINVAL): "
        + machine.upper + "\n", result.err());
  }

  @Test
  void mount_otherInvalidArgument_exits6() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.FAILED, "the cache TTL is too long",
        "", Errno.EINVAL, null));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode());
    assertEquals("unionfs-java: the cache TTL is too long (EINVAL)\n", result.err());
  }

  @Test
  void mount_pathWithFormatInIt_isNotAFormatMismatch() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.FAILED, "bad option",
        "/srv/reformat", Errno.EINVAL, null));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode());
  }

  @Test
  void mount_failureNamingTheFormat_isNotAFormatMismatch() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.FAILED, "the overlay whiteout"
        + " format needs device nodes and trusted xattrs", machine.upper.toString(), Errno.EINVAL,
        null));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode());
  }

  @Test
  void mount_upperTakenSinceThePreflight_exits3WithTheHolder() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.UPPER_IN_USE,
        "upper is in use by the union mounted at /mnt/a", machine.upper.toString(), null, null));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.BAD_PATH.code(), result.exitCode());
    assertEquals("unionfs-java: upper is in use by the union mounted at /mnt/a: " + machine.upper
        + "\n", result.err());
  }

  @Test
  void mount_fuseRefused_exits6() {
    machine.failMountWith(new MountFailure(MountFailure.Reason.FUSE_REFUSED,
        "FUSE refused the mount", machine.mountPoint.toString(), Errno.EIO, null));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.MOUNT_FAILED.code(), result.exitCode());
    assertEquals("unionfs-java: FUSE refused the mount (EIO): " + machine.mountPoint + "\n",
        result.err());
  }

  @Test
  void mount_unexpectedException_exits1WithOneLine() {
    machine.failMountWith(new IllegalStateException("boom"));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.UNEXPECTED.code(), result.exitCode());
    assertTrue(result.err().startsWith(
        "unionfs-java: unexpected error: java.lang.IllegalStateException: boom"), result.err());
  }

  @Test
  void mount_nativeCodeCannotLoad_exits4() {
    machine.failMountWith(new UnsatisfiedLinkError("could not load FFI provider"));
    TestMachine.Result result = machine.run(machine.mountArgs().toArray(String[]::new));
    assertEquals(ExitStatus.ENVIRONMENT.code(), result.exitCode());
    assertTrue(result.err().startsWith("unionfs-java: cannot load the native code FUSE needs"
        + " (java.lang.UnsatisfiedLinkError: could not load FFI provider"), result.err());
    assertEquals(1, result.err().strip().split("\n").length, result.err());
  }

  @Test
  void foregroundArguments_parseBackToTheSameOptions() {
    MountConfig original = new MountConfig(machine.upper, List.of(machine.lower,
        machine.lower2), machine.mountPoint, machine.upper.resolve("w"), WhiteoutChoice.OVERLAY,
        LowerMode.FIXED, Duration.ofMillis(1500), List.of("allow_other", "ro"), true,
        Tuning.defaults());
    List<String> args = MountCommand.foregroundArguments(original, 2);
    assertEquals(List.of("mount", "--foreground"), args.subList(0, 2));
    assertTrue(args.contains("-vv"), args.toString());
    assertEquals(original, parsedOptions(args));
  }

  @Test
  void foregroundArguments_defaults_omitOptionalOptions() {
    MountConfig options = MountConfig.of(machine.upper, List.of(machine.lower),
        machine.mountPoint, Tuning.defaults());
    assertEquals(List.of("mount", "--foreground", "--upper", machine.upper.toString(),
        "--lower", machine.lower.toString(), "--whiteout-format", "auto",
        "--lower-mode", "changing", "--cache-ttl", "1000ms", "--", machine.mountPoint.toString()),
        MountCommand.foregroundArguments(options, 0));
  }

  @Test
  void relaunchCommand_runsThisClassWithTheSameClassPath() {
    List<String> command = BackgroundLauncher.relaunchCommand(List.of("mount", "x"));
    assertTrue(command.get(0).endsWith("java"), command.get(0));
    int classPath = command.indexOf("-cp");
    assertEquals(System.getProperty("java.class.path"), command.get(classPath + 1));
    assertEquals(List.of(UnionfsCommand.class.getName(), "mount", "x"),
        command.subList(classPath + 2, command.size()));
  }
}
