package org.unionfsjava.cli;

import java.nio.file.Path;
import org.unionfsjava.fs.UpperLock;
import java.util.concurrent.Callable;
import org.unionfsjava.lifecycle.OciLayerExport;
import org.unionfsjava.lifecycle.UpperLayout;
import org.unionfsjava.model.NameCharset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java export --oci FILE.tar}: the upper as an OCI image layer. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Writes the upper's changes as an OCI image layer (an uncompressed tar): changed objects,"
            + " .wh.NAME for each whiteout, DIR/.wh..wh..opq for each opaque directory; a renamed"
            + " directory is written whole (OCI has no redirects). Applying the layer over the"
            + " lowers as a container runtime does gives the union's tree. The tar is written"
            + " aside and renamed into place; the upper must not be mounted.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {"  unionfs-java export --oci layer.tar /srv/upper --lower /srv/base"})
public final class ExportCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--oci", required = true, paramLabel = "FILE.tar", description = "The layer to write.")
  private Path file;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("export")) {
      UpperLayout layout = r.open(true, "auto");
      Path target = NameCharset.fromPlatform(file.toAbsolutePath().normalize());
      long n = ToolRunner.run("export", spec.commandLine().getErr(),
          () -> new OciLayerExport(layout, progressOption.progress()).exportTo(target));
      spec.commandLine().getOut().println("exported " + n + " entries to " + file.toAbsolutePath().normalize());
      spec.commandLine().getOut().flush();
      return ExitStatus.OK.code();
    }
  }
}
