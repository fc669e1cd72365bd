package org.unionfsjava.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.unionfsjava.lifecycle.Checker;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.lifecycle.LiveMounts;
import org.unionfsjava.lifecycle.Names;
import org.unionfsjava.lifecycle.UpperLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java check [--repair]}: what a crash or a hand edit left in an upper. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Finds what a crash or a hand edit can leave in an upper: temporaries (in the work"
            + " directory, and trees an interrupted commit or convert left beside the upper),"
            + " whiteouts that hide nothing, aufs whiteouts beside their own object, markers and"
            + " xattrs of the other format, redirects to where the lowers have no directory, and a"
            + " missing or wrong format record. One line per finding; the exit code is 7 while"
            + " damage remains.",
        "",
        "--repair fixes what it can, each repair keeping what a mount shows; it needs an"
            + " unmounted upper. Without --repair a mounted upper may be checked (its temporaries"
            + " are then the server's and are not counted).",
        ""
    })
public final class CheckCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--repair", description = "Repair what is found.")
  private boolean repair;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = repair ? r.requireNotMounted("check --repair") : null) {
      return check(r);
    }
  }

  private int check(BranchArguments.Resolved r) throws Exception {
    boolean live = new LiveMounts().servingUpper(r.upper()).isPresent();
    UpperLayout layout = r.open(false, "auto");
    List<Checker.Finding> found = ToolRunner.run("check", spec.commandLine().getErr(),
        () -> new Checker(layout, progressOption.progress(), repair).check(live));
    PrintWriter out = spec.commandLine().getOut();
    long remaining = 0;
    for (Checker.Finding f : found) {
      out.printf("%-15s %s: %s%s%n", f.kind(), Names.text(f.path()), f.detail(), f.repaired() ? " (repaired)" : "");
      remaining += f.repaired() ? 0 : 1;
    }
    out.printf("%d findings, %d remaining (%s format%s)%n", found.size(), remaining,
        layout.format().name(), layout.lowers().isEmpty() ? "; no --lower: whiteouts and redirects not checked" : "");
    out.flush();
    return remaining > 0 ? ExitStatus.DAMAGE.code() : ExitStatus.OK.code();
  }
}
