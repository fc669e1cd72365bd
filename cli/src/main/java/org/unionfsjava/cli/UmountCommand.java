package org.unionfsjava.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code unionfs-java umount}: unmounts a union, which also ends its server process. */
@Command(
    name = "umount",
    aliases = "unmount",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Unmounts the union at MOUNTPOINT; its server process then exits. Refuses anything that"
            + " is not a unionfs-java mount. As root it runs umount, otherwise (or if that fails)"
            + " fusermount3 -u, then fusermount -u. A union whose server has ended (the mount"
            + " point answers 'Transport endpoint is not connected') is unmounted the same way.",
        ""
    })
public final class UmountCommand implements Callable<Integer> {

  @ParentCommand
  private UnionfsCommand parent;

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Option(names = {"-l", "--lazy"},
      description = "Detach the union now and finish unmounting once it is no longer busy.")
  private boolean lazy;

  @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "Where the union is mounted.")
  private Path mountPoint;

  @Override
  public Integer call() throws Exception {
    Path target = Unmounter.mountTablePath(mountPoint);
    boolean dead = parent.host().disconnected().test(target);
    new Unmounter(parent.host().mountInfo(), Unmounter.runningAsRoot()).unmount(target, lazy);
    spec.commandLine().getOut().println("unmounted " + target
        + (dead ? " (its server had already ended)" : ""));
    spec.commandLine().getOut().flush();
    return ExitStatus.OK.code();
  }
}
