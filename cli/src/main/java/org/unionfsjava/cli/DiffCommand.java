package org.unionfsjava.cli;

import java.util.concurrent.Callable;
import org.unionfsjava.lifecycle.DiffReport;
import org.unionfsjava.lifecycle.Differ;
import org.unionfsjava.lifecycle.UpperLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java diff}: what an upper changes relative to its lowers. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Lists what the upper changes relative to the lowers: added, modified (the upper holds its"
            + " own data), metadata (attributes only; a metadata-only copy), replaced (another kind"
            + " of object), deleted (whiteouts), opaque directories, renamed directories (<- the"
            + " lower path their content comes from) and hard links.",
        "",
        "Works on an unmounted upper and on a live one (give the mount point alone, or UPPER and"
            + " --lower): the upper is only read; each name is read once, so a change made while"
            + " the walk runs may or may not be listed, but every line was true when it was read.",
        "",
        "Names are printed with \\\\ for a backslash and \\ooo (octal) for control characters and"
            + " bytes that are not UTF-8. --json writes one object (docs/lifecycle.md).",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  unionfs-java diff /srv/upper --lower /srv/base",
        "  unionfs-java diff --json /mnt/union > changes.json"
    })
public final class DiffCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--json", description = "Write the changes as JSON on stdout.")
  private boolean json;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(true);
    UpperLayout layout = r.open(true, "auto");
    DiffReport report = ToolRunner.run("diff", spec.commandLine().getErr(),
        () -> new DiffReport(layout, new Differ(layout, progressOption.progress()).changes()));
    if (json) {
      report.writeJson(System.out);
      System.out.flush();
    } else {
      report.writeText(spec.commandLine().getOut());
    }
    return ExitStatus.OK.code();
  }
}
