package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --help} and {@code --version} on every command, and the bare command. */
class HelpAndVersionTest {

  @TempDir Path temp;
  private TestMachine machine;

  @BeforeEach
  void setUp() throws IOException {
    machine = new TestMachine(temp);
  }

  private static void assertListsExitCodes(String help) {
    assertTrue(help.contains("Exit codes:"), help);
    for (ExitStatus status : ExitStatus.values()) {
      assertTrue(help.contains("  " + status.code() + "   "), "code " + status.code());
    }
  }

  @Test
  void help_top_listsCommandsAndExitCodes() {
    TestMachine.Result result = machine.run("--help");
    assertEquals(0, result.exitCode());
    assertTrue(result.out().startsWith("Usage: unionfs-java [-hVv] [COMMAND]"), result.out());
    assertTrue(result.out().contains("  mount "));
    assertTrue(result.out().contains("  umount, unmount "));
    assertListsExitCodes(result.out());
  }

  @Test
  void help_mount_explainsOptionsAndLowerModes() {
    TestMachine.Result result = machine.run("mount", "--help");
    assertEquals(0, result.exitCode());
    String help = result.out().replaceAll("\\s+", " ");
    for (String option : new String[] {"--upper=DIR", "--lower=DIR", "--whiteout-format=FORMAT",
        "--workdir=DIR", "--lower-mode=MODE", "--cache-ttl=DURATION", "-o=OPTS", "--foreground",
        "--log-file=FILE", "--fuse-debug", "--verbose", "MOUNTPOINT"}) {
      assertTrue(help.contains(option), option);
    }
    assertTrue(help.contains("changing (default): the lowers may change while mounted"), help);
    assertTrue(help.contains("fixed: the lowers never change while mounted"), help);
    assertTrue(help.contains("(default: 1s; at most 24h"), help);
    assertTrue(help.contains("-o auto_unmount: fusermount3 unmounts the union when its server"
        + " dies"), help);
    assertListsExitCodes(result.out());
  }

  @Test
  void help_umount_mentionsLazy() {
    TestMachine.Result result = machine.run("umount", "--help");
    assertEquals(0, result.exitCode());
    assertTrue(result.out().contains("-l, --lazy"), result.out());
    assertListsExitCodes(result.out());
  }

  @Test
  void help_subcommand_printsMountUsage() {
    TestMachine.Result result = machine.run("help", "mount");
    assertEquals(0, result.exitCode());
    assertTrue(result.out().startsWith("Usage: unionfs-java mount"), result.out());
  }

  @Test
  void version_everyCommand_printsProjectVersion() {
    String expected = "unionfs-java " + System.getProperty("project.version", "unknown") + "\n";
    for (String[] args : new String[][] {{"--version"}, {"mount", "--version"},
        {"umount", "-V"}}) {
      TestMachine.Result result = machine.run(args);
      assertEquals(0, result.exitCode());
      assertTrue(result.out().startsWith(expected), result.out());
      assertTrue(result.out().contains("jnr-fuse "), result.out());
    }
  }

  @Test
  void noCommand_printsUsageAndExits2() {
    TestMachine.Result result = machine.run();
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().startsWith("Usage: unionfs-java"), result.err());
  }

  @Test
  void unknownCommand_exits2() {
    TestMachine.Result result = machine.run("mnt");
    assertEquals(ExitStatus.USAGE.code(), result.exitCode());
    assertTrue(result.err().startsWith("unionfs-java: Unmatched argument"), result.err());
  }
}
