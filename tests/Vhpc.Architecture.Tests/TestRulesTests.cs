using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Vhpc.Testing;

namespace Vhpc.Architecture.Tests;

/// <summary>
/// Rules for the tests themselves: every test has exactly one tier (tests/run.sh selects by it, so a
/// test without one would never run), tests do not change process-wide environment variables (they
/// run in parallel), and only Vhpc.Testing opens the shared libvirtd (TestEnvironment checks the tier).
/// </summary>
[Tier(TestTier.Unit)]
public sealed partial class TestRulesTests
{
    private static readonly string[] TestProjects =
        ["Vhpc.Libvirt.Tests", "Vhpc.Posix.Tests", "Vhpc.Seed.Tests", "Vhpc.Engine.Tests", "Vhpc.Daemon.Tests", "Vhpc.Systemd.Tests", "Vhpc.EndToEnd.Tests", "Vhpc.Architecture.Tests"];

    [Fact]
    public void Every_test_has_exactly_one_tier()
    {
        var wrong = new List<string>();
        var counted = 0;
        foreach (var project in TestProjects)
        {
            using var stream = File.OpenRead(BuiltTestAssembly(project));
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            foreach (var typeHandle in md.TypeDefinitions)
            {
                var type = md.GetTypeDefinition(typeHandle);
                var classTiers = Count(md, type.GetCustomAttributes(), "TierAttribute");
                foreach (var methodHandle in type.GetMethods())
                {
                    var method = md.GetMethodDefinition(methodHandle);
                    var attributes = method.GetCustomAttributes();
                    if (Count(md, attributes, "FactAttribute", "TheoryAttribute", "PropertyAttribute") == 0)
                    {
                        continue;
                    }

                    counted++;
                    var tiers = classTiers + Count(md, attributes, "TierAttribute");
                    if (tiers != 1)
                    {
                        wrong.Add($"{project}: {md.GetString(type.Namespace)}.{md.GetString(type.Name)}.{md.GetString(method.Name)} has {tiers} tiers");
                    }
                }
            }
        }

        Assert.True(counted > 300, $"only {counted} tests found: are the test assemblies built?");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void No_test_changes_a_process_wide_environment_variable()
    {
        var offending = Offending(@"Environment\.SetEnvironmentVariable\s*\(");
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    [Fact]
    public void Only_the_test_environment_names_the_shared_libvirtd()
    {
        // Spec texts may say connect: qemu:///system; opening it is TestEnvironment.SharedLibvirtUri's job.
        var offending = Offending(@"Connection\.Open\(\s*""qemu|const string \w*Uri\w* = ""qemu:///system""", except: "Vhpc.Testing");
        Assert.True(offending.Count == 0, string.Join("\n", offending));
    }

    /// <summary>Lines of the test projects (and Vhpc.Testing unless excepted) that match.</summary>
    private static List<string> Offending(string pattern, string? except = null) => TestProjects.Append("Vhpc.Testing")
        .Where(p => p != "Vhpc.Architecture.Tests" && p != except)
        .SelectMany(p => Directory.EnumerateFiles(Path.Combine(Repository.Root, "tests", p), "*.cs", SearchOption.AllDirectories))
        .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
        .SelectMany(p => File.ReadLines(p).Select((line, i) => (p, line, i)))
        .Where(x => Regex.IsMatch(x.line, pattern))
        .Select(x => $"{Path.GetRelativePath(Repository.Root, x.p)}:{x.i + 1}: {x.line.Trim()}")
        .ToList();

    private static int Count(MetadataReader md, CustomAttributeHandleCollection attributes, params string[] names) =>
        attributes.Count(a => names.Contains(AttributeName(md, md.GetCustomAttribute(a)), StringComparer.Ordinal));

    private static string AttributeName(MetadataReader md, CustomAttribute attribute)
    {
        var type = attribute.Constructor.Kind == HandleKind.MemberReference
            ? md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent
            : md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        return type.Kind switch
        {
            HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)type).Name),
            HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)type).Name),
            _ => "",
        };
    }

    /// <summary>A test project's assembly, built beside this one (same configuration and framework).</summary>
    private static string BuiltTestAssembly(string project)
    {
        var output = AppContext.BaseDirectory.Replace("/Vhpc.Architecture.Tests/", $"/{project}/", StringComparison.Ordinal);
        var path = Path.Combine(output, project + ".dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution first (tests/run.sh does)");
        return path;
    }
}
