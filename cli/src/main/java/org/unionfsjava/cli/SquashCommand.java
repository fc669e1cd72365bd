package org.unionfsjava.cli;

import java.util.concurrent.Callable;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.lifecycle.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code unionfs-java squash UPPER FROM TO}: merges adjacent snapshot layers. */
@Command(
    name = "squash",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Merges snapshot layers FROM to TO (FROM < TO, as snapshot --list numbers them) into one"
            + " layer with TO's name and date; the layers above move down. The upper layer's names"
            + " win; a whiteout that hides a name of a lower layer in the range removes it and"
            + " stays only where it also hides a name further below; an opaque directory drops"
            + " what lies under it in the range. Files are hard-linked from the old layers (no"
            + " data is copied). The new layer is built aside; one rename of the layer record"
            + " switches to it, then the old layers are removed: Ctrl-C or a crash leaves the old"
            + " layers or the merged one. Give the lowers (as for mount) so whiteouts and opaque"
            + " marks that hide nothing below are dropped. The upper must not be mounted.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  unionfs-java squash /srv/upper 1 3 --lower /srv/base"})
public final class SquashCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Parameters(index = "1", paramLabel = "FROM", description = "The lowest layer to merge.")
  private int from;

  @Parameters(index = "2", paramLabel = "TO", description = "The highest layer to merge.")
  private int to;

  @Mixin
  private BranchArguments branches;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("squash")) {
      Snapshots s = LayerTool.open(r, "squash", progressOption.progress());
      Snapshots.Result res = ToolRunner.run("squash", spec.commandLine().getErr(), () -> s.squash(from, to));
      spec.commandLine().getOut().printf("squashed layers %d to %d of %s into layer %d: %d objects (%d layers now)%n",
          from, to, r.upper(), from, res.objects(), res.layers());
      spec.commandLine().getOut().flush();
      return ExitStatus.OK.code();
    }
  }
}
