package org.unionfsjava.cli;

import java.util.concurrent.Callable;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.lifecycle.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code unionfs-java rollback UPPER N}: returns to snapshot N. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Returns the union to snapshot N (as snapshot --list numbers them): the upper's changes"
            + " and every layer above N are dropped, the upper is empty. 0 drops every layer."
            + " A fresh upper (whose record names layers 1..N) is swapped in by one rename, then"
            + " the dropped trees are removed: Ctrl-C or a crash leaves the old state or the new"
            + " one. The upper must not be mounted.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  unionfs-java rollback /srv/upper 2"})
public final class RollbackCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Parameters(index = "1", paramLabel = "N", description = "The snapshot to return to (0: none).")
  private int number;

  @Mixin
  private BranchArguments branches;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("rollback")) {
      Snapshots s = LayerTool.open(r, "rollback", org.unionfsjava.lifecycle.Progress.NONE);
      Snapshots.Result res = ToolRunner.run("rollback", spec.commandLine().getErr(), () -> s.rollback(number));
      spec.commandLine().getOut().printf("rolled %s back to snapshot %d: the upper is empty (%d layers)%n",
          r.upper(), number, res.layers());
      spec.commandLine().getOut().flush();
      return ExitStatus.OK.code();
    }
  }
}
