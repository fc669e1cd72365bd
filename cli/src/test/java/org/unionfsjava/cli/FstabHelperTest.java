package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fstab mount helper {@code examples/fstab/mount.unionfs-java}: run as mount(8) runs it, with
 * {@code UNIONFS_JAVA=echo} so it prints the {@code unionfs-java} command line it would run.
 */
class FstabHelperTest {

  private static final Path HELPER = Path.of(System.getProperty("unionfs.repo.dir", ".."))
      .resolve("examples/fstab/mount.unionfs-java");

  /** What the helper printed and returned. */
  private record Run(int exitCode, String out, String err) {}

  private static Run helper(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", HELPER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("UNIONFS_JAVA");
    builder.environment().putAll(env);
    Path errFile = Files.createTempFile("helper", ".err");
    try {
      Process process = builder.redirectError(errFile.toFile()).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exitCode = process.waitFor();
      return new Run(exitCode, out, Files.readString(errFile));
    } finally {
      Files.delete(errFile);
    }
  }

  private static Run echoed(String... args) throws IOException, InterruptedException {
    return helper(Map.of("UNIONFS_JAVA", "echo"), args);
  }

  @Test
  void helper_upperAndLowers_becomeRepeatedLowerOptions() throws Exception {
    Run run = echoed("unionfs-java", "/mnt/union", "-o",
        "rw,upper=/srv/upper,lower=/srv/site:/nfs/base:/srv/third");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("mount --upper /srv/upper --lower /srv/site --lower /nfs/base --lower /srv/third"
        + " -o rw -- /mnt/union\n", run.out());
  }

  @Test
  void helper_unionOptions_becomeCliOptions() throws Exception {
    Run run = echoed("none", "/mnt/u", "-o", "upper=/u,lower=/l,workdir=/u/w,whiteout=aufs,"
        + "lower-mode=fixed,cache-ttl=500ms,log-file=/var/log/u.log,fuse-debug,verbose");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("mount --upper /u --lower /l --workdir /u/w --whiteout-format aufs"
        + " --lower-mode fixed --cache-ttl 500ms --log-file /var/log/u.log --fuse-debug -v"
        + " -- /mnt/u\n", run.out());
  }

  @Test
  void helper_fstabOnlyOptions_areDropped_othersGoToFuse() throws Exception {
    Run run = echoed("none", "/mnt/u", "-o", "defaults,noauto,nofail,_netdev,user,"
        + "x-systemd.requires-mounts-for=/nfs,comment=x,allow_other,noatime,upper=/u",
        "-o", "lower=/l,ro", "-n", "-s", "-t", "fuse.unionfs-java");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("mount --upper /u --lower /l -o allow_other,noatime,ro -- /mnt/u\n", run.out());
  }

  @Test
  void helper_unionOptionGivenTwice_lastWinsAsInMount8() throws Exception {
    Run run = echoed("none", "/mnt/u", "-o", "upper=/u1,lower=/a:/b,cache-ttl=1s,whiteout=aufs",
        "-o", "upper=/u2,lower=/c,cache-ttl=2s,whiteout=overlay");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("mount --upper /u2 --lower /c --whiteout-format overlay --cache-ttl 2s"
        + " -- /mnt/u\n", run.out());
  }

  @Test
  void helper_remountWhereNoUnionIsMounted_isRefusedWithoutRunningTheCli() throws Exception {
    // the helper remounts a live union itself (mount -i -o remount,...; RemountReadOnlyTest in the
    // test module); where none is mounted it says so and never starts unionfs-java mount
    Run run = echoed("none", "/mnt/u", "-o", "remount,ro,upper=/u,lower=/l");
    assertEquals(32, run.exitCode(), run.err());
    assertEquals("", run.out());
    assertTrue(run.err().contains("remount: no unionfs-java union is mounted at /mnt/u"), run.err());
  }

  @Test
  void helper_dryRun_printsAQuotedCommand() throws Exception {
    Run run = helper(Map.of("UNIONFS_JAVA", "/opt/uj/bin/unionfs-java"), "--dry-run", "none",
        "/mnt/my union", "-o", "upper=/srv/u,lower=/srv/a b");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("/opt/uj/bin/unionfs-java mount --upper /srv/u --lower /srv/a\\ b --"
        + " /mnt/my\\ union\n", run.out());
  }

  @Test
  void helper_fakeFlag_printsInsteadOfMounting() throws Exception {
    Run run = helper(Map.of("UNIONFS_JAVA", "/bin/false"), "-f", "none", "/m",
        "-o", "upper=/u,lower=/l");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("/bin/false mount --upper /u"), run.out());
  }

  @Test
  void helper_withoutUpper_exits2() throws Exception {
    Run run = echoed("none", "/m", "-o", "lower=/l");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().startsWith("mount.unionfs-java: the option upper=DIR is required"),
        run.err());
    assertEquals("", run.out());
  }

  @Test
  void helper_withoutLower_exits2() throws Exception {
    Run run = echoed("none", "/m", "-o", "upper=/u");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("lower=DIR"), run.err());
  }

  @Test
  void helper_withoutMountPoint_exits2() throws Exception {
    assertEquals(2, echoed("none", "-o", "upper=/u,lower=/l").exitCode());
  }

  @Test
  void helper_exitCodeOfTheCli_isPassedOn() throws Exception {
    Run run = helper(Map.of("UNIONFS_JAVA", "/bin/false"), "none", "/m", "-o",
        "upper=/u,lower=/l");
    assertEquals(1, run.exitCode());
  }
}
