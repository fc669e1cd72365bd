package org.unionfsjava.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.unionfsjava.fs.UpperLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.unionfsjava.fs.nativeio.NativeBranchIo;
import org.unionfsjava.lifecycle.Converter;
import org.unionfsjava.model.NameCharset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code unionfs-java convert --to overlay|aufs}: an unmounted upper in another format. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Rewrites an unmounted upper in another whiteout format: overlay (0/0 character devices,"
            + " trusted.overlay.* xattrs; needs root) or aufs (.wh.NAME files, as OCI layers)."
            + " Reads an upper in either format, and the layout unionfs-fuse writes (.unionfs/ or"
            + " .unionfs-fuse/ with PATH_HIDDEN~ markers), so its users can mount their upper"
            + " with unionfs-java.",
        "",
        "The new upper is built aside next to the old one (files hard-linked, not copied) and"
            + " exchanged with it in one rename: Ctrl-C or a crash leaves the old upper or the new"
            + " one. Give the lowers (--lower) for an upper of unionfs-fuse: its markers then"
            + " become whiteouts only where they hide something.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  unionfs-java convert --to overlay /srv/upper",
        "  unionfs-java convert --to aufs /srv/unionfs-fuse-rw --lower /srv/base"
    })
public final class ConvertCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private LoggingMixin loggingMixin;

  @Mixin
  private BranchArguments branches;

  @Option(names = "--to", required = true, paramLabel = "FORMAT",
      converter = FormatConverter.class, description = "overlay or aufs.")
  private String to;

  @Mixin
  private ProgressOption progressOption;

  @Override
  public Integer call() throws Exception {
    BranchArguments.Resolved r = branches.resolve(false);
    try (UpperLock held = r.requireNotMounted("convert")) {
      if (r.workDir() != null && !r.workDir().getParent().equals(r.upper())) {
        throw new CommandFailure(ExitStatus.USAGE, "convert rewrites the work directory inside the"
            + " upper only (UPPER/.unionfs-java); move it there first");
      }
      List<Path> lowers = new ArrayList<>();
      for (Path l : r.stackedLowers()) {
        lowers.add(NameCharset.fromPlatform(l));
      }
      Path upper = NameCharset.fromPlatform(r.upper());
      Converter.Result res = ToolRunner.run("convert", spec.commandLine().getErr(),
          () -> new Converter(new NativeBranchIo(), upper, lowers, progressOption.progress()).convert(to));
      PrintWriter out = spec.commandLine().getOut();
      if (!res.changed()) {
        out.println(r.upper() + " is already in the " + res.to() + " format");
      } else {
        out.printf("converted %s from %s to %s: %d objects, %d whiteouts, %d opaque directories,"
            + " %d redirects%n", r.upper(), res.from(), res.to(), res.objects(), res.whiteouts(),
            res.opaque(), res.redirects());
      }
      out.flush();
      return ExitStatus.OK.code();
    }
  }

  /** overlay or aufs. */
  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (!value.equals("overlay") && !value.equals("aufs")) {
        throw new picocli.CommandLine.TypeConversionException("expected overlay or aufs but was '" + value + "'");
      }
      return value;
    }
  }
}
