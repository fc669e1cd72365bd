package org.unionfsjava.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import org.unionfsjava.fs.UpperLock;
import org.unionfsjava.lifecycle.Snapshots;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java snapshot [--name NAME] | --list}: keeps the upper's changes as a layer. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Makes the upper's changes a read-only layer, numbered after the ones before it, below a"
            + " fresh empty upper (the same whiteout format); with --list, lists the snapshots.",
        "",
        "Layers lie in UPPER.layers/ beside the upper; which of them a union stands on is recorded"
            + " in the upper's work directory, and mount reads that record: mount the upper as"
            + " before (the same --lower list) and the layers appear between it and the lowers."
            + " The upper is first settled for reading as a layer (metadata-only copies get their"
            + " data, renamed directories their lower content, hard links their lower names),"
            + " which keeps what the union shows. One rename swaps the fresh upper in: Ctrl-C or a"
            + " crash leaves the old state or the new one. The upper must not be mounted.",
        "",
        "rollback N returns to snapshot N, reset empties the upper, squash merges layers.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  unionfs-java snapshot --name before-upgrade /srv/upper --lower /srv/base",
        "  unionfs-java snapshot --list /srv/upper"
    })
public final class SnapshotCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--name", paramLabel = "NAME", description = "A name for the snapshot (no tab or newline).")
  private String name;

  @Option(names = "--list", description = "List the snapshots: number, date, name, objects, bytes.")
  private boolean list;

  @Option(names = "--json", description = "With --list: JSON instead of the table.")
  private boolean json;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    PrintWriter out = spec.commandLine().getOut();
    if (list) {
      Snapshots s = LayerTool.open(r, "snapshot --list", org.unionfsjava.lifecycle.Progress.NONE);
      print(s.list(), out);
      out.flush();
      return ExitStatus.OK.code();
    }
    if (r.lowers().isEmpty()) {
      throw new CommandFailure(ExitStatus.USAGE, "give the lowers with --lower (as for mount)");
    }
    if (name != null && (name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0)) {
      throw new CommandFailure(ExitStatus.USAGE, "a snapshot's name has no tab or newline");
    }
    try (UpperLock held = r.requireNotMounted("snapshot")) {
      Snapshots s = LayerTool.open(r, "snapshot", progressOption.progress());
      Snapshots.Result res = ToolRunner.run("snapshot", spec.commandLine().getErr(), () -> s.snapshot(name));
      List<Snapshots.Listed> now = s.list();
      Snapshots.Listed last = now.get(now.size() - 1);
      out.printf("snapshot %d%s of %s: %s (%d objects); the upper is empty%n", last.number(),
          last.layer().name().isEmpty() ? "" : " (" + last.layer().name() + ")", r.upper(),
          LayerTool.layersDir(r).resolve(last.layer().id()), last.objects());
      if (res.settled() > 0) {
        out.printf("settled %d objects of the upper for reading as a layer%n", res.settled());
      }
      out.flush();
      return ExitStatus.OK.code();
    }
  }

  private void print(List<Snapshots.Listed> listed, PrintWriter out) throws Exception {
    if (json) {
      JsonGenerator g = new JsonFactory().createGenerator(out);
      g.writeStartObject();
      g.writeArrayFieldStart("snapshots");
      for (Snapshots.Listed l : listed) {
        g.writeStartObject();
        g.writeNumberField("number", l.number());
        g.writeStringField("id", l.layer().id());
        g.writeStringField("name", l.layer().name());
        g.writeStringField("made", l.layer().made().toString());
        g.writeNumberField("objects", l.objects());
        g.writeNumberField("bytes", l.bytes());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
      g.flush();
      out.println();
      return;
    }
    DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
    out.printf("%3s  %-19s  %9s  %12s  %s%n", "N", "DATE", "OBJECTS", "BYTES", "NAME");
    for (Snapshots.Listed l : listed) {
      out.printf("%3d  %-19s  %9d  %12d  %s%n", l.number(), f.format(l.layer().made()), l.objects(),
          l.bytes(), l.layer().name());
    }
  }
}
