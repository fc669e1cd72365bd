package org.unionfsjava.cli;

import org.unionfsjava.fs.Tuning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.Test;

/** Which commands start the early start-up work, and that waiting for it leaves Log4j started. */
class StartupOverlapTest {

  @Test
  void subcommand_isTheFirstArgumentThatIsNotAnOption() {
    assertEquals("mount", StartupOverlap.subcommand(new String[] {"-vv", "mount", "--upper", "u"}));
    assertEquals("umount", StartupOverlap.subcommand(new String[] {"umount", "/mnt"}));
    assertNull(StartupOverlap.subcommand(new String[] {"--version"}));
    assertNull(StartupOverlap.subcommand(new String[0]));
  }

  @Test
  void onlyMountStartsThreads() throws InterruptedException {
    for (String[] args : new String[][] {{"--help"}, {"--version"}, {"umount", "/mnt"}, {}}) {
      StartupOverlap overlap = StartupOverlap.begin(args, Tuning.defaults());
      overlap.await();
      assertEquals(0, overlap.started(), String.join(" ", args));
    }
  }

  @Test
  void startupOverlapFalse_startsNothing() throws InterruptedException {
    Tuning off = new Tuning(Tuning.defaults().fuseLibrary(), Tuning.defaults().cacheBytes(), true, true,
        true, true, true, false, 4, 10, false, java.util.Set.of());
    StartupOverlap overlap = StartupOverlap.begin(new String[] {"mount", "--foreground", "m"}, off);
    overlap.await();
    assertEquals(0, overlap.started());
  }

  @Test
  void mount_startsLogging_foregroundAlsoNativeBindings_awaitReturnsWithLog4jStarted() throws InterruptedException {
    StartupOverlap launcher = StartupOverlap.begin(new String[] {"mount", "--upper", "u", "m"}, Tuning.defaults());
    launcher.await();
    assertEquals(1, launcher.started(), "the launching process binds nothing");
    StartupOverlap overlap = StartupOverlap.begin(new String[] {"mount", "--foreground", "--help"},
        Tuning.defaults());
    overlap.await();
    assertEquals(2, overlap.started());
    assertTrue(((LoggerContext) LogManager.getContext(false)).isStarted());
  }
}
