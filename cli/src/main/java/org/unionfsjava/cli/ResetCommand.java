package org.unionfsjava.cli;

import java.util.concurrent.Callable;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.lifecycle.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code unionfs-java reset UPPER}: discards the upper's changes. */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Discards every change in the upper: it becomes empty (the same format; the snapshot"
            + " layers stay). A fresh upper is built beside it and swapped in by one rename, then"
            + " the old one is removed: Ctrl-C or a crash leaves the old upper or the empty one."
            + " The upper must not be mounted.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  unionfs-java reset /srv/upper"})
public final class ResetCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("reset")) {
      Snapshots s = LayerTool.open(r, "reset", org.unionfsjava.lifecycle.Progress.NONE);
      Snapshots.Result res = ToolRunner.run("reset", spec.commandLine().getErr(), s::reset);
      spec.commandLine().getOut().printf("reset %s: the upper is empty (%d snapshot layers below it)%n",
          r.upper(), res.layers());
      spec.commandLine().getOut().flush();
      return ExitStatus.OK.code();
    }
  }
}
