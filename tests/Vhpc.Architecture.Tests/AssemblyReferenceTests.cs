using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Vhpc.Testing;

namespace Vhpc.Architecture.Tests;

/// <summary>
/// Which product assembly may reference which (the csproj graph, and what the compiled assemblies
/// really use): the spec is pure, only provisioning talks to libvirt, and vhpc ships without the engine.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class AssemblyReferenceTests
{
    /// <summary>Every product project and the product projects it may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Vhpc.Libvirt"] = [],
        ["Vhpc.Posix"] = [],
        ["Vhpc.Seed"] = [],
        ["Vhpc.Control"] = ["Vhpc.Posix"],
        ["Vhpc.Spec"] = [],
        ["Vhpc.Engine.Abstractions"] = ["Vhpc.Spec"],
        ["Vhpc.Guests"] = ["Vhpc.Spec", "Vhpc.Engine.Abstractions"],
        ["Vhpc.Provisioning"] = ["Vhpc.Libvirt", "Vhpc.Seed", "Vhpc.Spec", "Vhpc.Engine.Abstractions", "Vhpc.Guests"],
        ["Vhpc.Ansible"] = ["Vhpc.Spec", "Vhpc.Engine.Abstractions", "Vhpc.Guests"],
        ["Vhpc.Engine"] = ["Vhpc.Spec", "Vhpc.Engine.Abstractions", "Vhpc.Provisioning", "Vhpc.Guests", "Vhpc.Ansible"],
        ["Vhpc.Daemon"] = ["Vhpc.Posix", "Vhpc.Engine", "Vhpc.Control"],
        ["Vhpc.Cli"] = ["Vhpc.Spec", "Vhpc.Seed", "Vhpc.Control"],
    };

    [Fact]
    public void Every_product_project_is_in_the_table()
    {
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), Repository.ProjectFiles.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Project_references_follow_the_layers()
    {
        var wrong = new List<string>();
        foreach (var (project, path) in Repository.ProjectFiles)
        {
            var references = XDocument.Load(Path.Combine(Repository.Root, path)).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
                .ToList();
            wrong.AddRange(references.Except(Allowed[project]).Select(r => $"{project} references {r}"));
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Only_provisioning_uses_libvirt_and_vhpc_uses_only_the_protocol_the_spec_and_the_seed_writer()
    {
        var libvirtUsers = Allowed.Keys.Where(p => References(p).Contains("Vhpc.Libvirt")).ToList();
        Assert.Equal(["Vhpc.Provisioning"], libvirtUsers);

        var cli = References("Vhpc.Cli").Where(r => r.StartsWith("Vhpc.", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(["Vhpc.Control", "Vhpc.Seed", "Vhpc.Spec"], cli);
        Assert.DoesNotContain("Renci.SshNet", References("Vhpc.Cli"));
        Assert.DoesNotContain("Polly.Core", References("Vhpc.Cli"));
        Assert.DoesNotContain("Polly.Core", References("Vhpc.Spec"));
        Assert.DoesNotContain("Renci.SshNet", References("Vhpc.Spec"));
    }

    /// <summary>The daemon composes the engine's layers in one place and otherwise sees only IClusterEngine.</summary>
    [Fact]
    public void The_daemon_reaches_the_engines_layers_only_through_its_wiring()
    {
        string[] layers = ["Vhpc.Provisioning", "Vhpc.Guests", "Vhpc.Ansible", "Vhpc.Libvirt"];
        var offenders = Repository.SourceFiles("src/Vhpc.Daemon")
            .Where(f => !f.EndsWith("/Hosting/EngineWiring.cs", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Where(l => layers.Any(n => l.StartsWith($"using {n}", StringComparison.Ordinal)))
                .Select(l => $"{Path.GetRelativePath(Repository.Root, f)}: {l}"))
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    /// <summary>The assemblies the compiled project really references (the compiler drops unused ones).</summary>
    private static HashSet<string> References(string project)
    {
        using var stream = File.OpenRead(Repository.AssemblyPath(project));
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        return md.AssemblyReferences.Select(r => md.GetString(md.GetAssemblyReference(r).Name)).ToHashSet(StringComparer.Ordinal);
    }
}
