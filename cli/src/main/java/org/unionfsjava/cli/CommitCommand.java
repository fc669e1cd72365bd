package org.unionfsjava.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.unionfsjava.fs.UpperLock;
import java.util.concurrent.Callable;
import org.unionfsjava.lifecycle.Committer;
import org.unionfsjava.lifecycle.UpperLayout;
import org.unionfsjava.model.NameCharset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java commit --into DIR}: the merged view as a new plain tree. */
@Command(
    name = "commit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Writes what the union of UPPER over the lowers shows as a new plain directory tree DIR:"
            + " every layer's changes applied, whiteouts and opaque directories honoured, nothing of"
            + " the union's own left (no markers, redirects, work directory or union xattrs)."
            + " Owners, modes, times (ns) and xattrs are kept; names that share an inode in the"
            + " union share one in DIR.",
        "",
        "Unchanged lower files are hard-linked into DIR where it is on their filesystem (they are"
            + " then the same inodes: the lower's link counts and ctimes change, nothing else;"
            + " --copy avoids that), else copied: reflinked where the filesystem shares extents,"
            + " else with copy_file_range, holes kept.",
        "",
        "DIR is built aside (.DIR.unionfs-commit.PID next to it) and renamed into place in one"
            + " step: Ctrl-C or a crash leaves DIR as it was, or the new tree. The upper must not"
            + " be mounted. As an ordinary user, owners other than yours cannot be kept (counted).",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  unionfs-java commit --into /srv/base-2 /srv/upper --lower /srv/base",
        "  unionfs-java commit --into /srv/base --replace /srv/upper --lower /srv/base"
    })
public final class CommitCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--into", required = true, paramLabel = "DIR",
      description = "The new tree; must not exist unless --replace.")
  private Path into;

  @Option(names = "--replace",
      description = "DIR may exist (even be a lower): the new tree takes its place in one step and"
          + " the old one is removed.")
  private boolean replace;

  @Option(names = "--copy", description = "Never hard-link lower files; copy (or reflink) them.")
  private boolean copy;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("commit")) {
      UpperLayout layout = r.open(true, "auto");
      Path target = NameCharset.fromPlatform(into.toAbsolutePath().normalize());
      Committer.Result result = ToolRunner.run("commit", spec.commandLine().getErr(),
          () -> new Committer(layout, progressOption.progress(), new Committer.Options(replace, !copy))
              .commitInto(target));
      PrintWriter out = spec.commandLine().getOut();
      out.printf("committed %d objects into %s: %d hard-linked, %d copied (%d bytes)%n",
          result.objects(), into.toAbsolutePath().normalize(), result.linked(), result.copied(), result.bytesCopied());
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      if (result.staleRemoved() > 0) {
        err.println("unionfs-java: removed " + result.staleRemoved() + " temporary tree(s) an interrupted commit left");
      }
      if (result.ownersNotKept() > 0) {
        err.println("unionfs-java: " + result.ownersNotKept() + " objects keep your owner: only root can give them theirs");
      }
      if (result.xattrsNotKept() > 0) {
        err.println("unionfs-java: " + result.xattrsNotKept() + " xattrs could not be set on the new tree");
      }
      err.flush();
      return ExitStatus.OK.code();
    }
  }
}
