using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Vhpc.Testing;

namespace Vhpc.Architecture.Tests;

/// <summary>Native code is called only from native-interop/: nothing under src/ imports a function or uses pointers.</summary>
[Tier(TestTier.Unit)]
public sealed partial class NativeCodeTests
{
    private static IEnumerable<string> SrcProjects => Repository.ProjectFiles.Where(p => p.Value.StartsWith("src/", StringComparison.Ordinal)).Select(p => p.Key);

    [Fact]
    public void No_assembly_under_src_has_a_platform_invoke()
    {
        var imports = new List<string>();
        foreach (var project in SrcProjects)
        {
            using var stream = File.OpenRead(Repository.AssemblyPath(project));
            using var pe = new PEReader(stream);
            var md = pe.GetMetadataReader();
            foreach (var handle in md.MethodDefinitions)
            {
                var method = md.GetMethodDefinition(handle);
                if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0)
                {
                    var type = md.GetTypeDefinition(method.GetDeclaringType());
                    imports.Add($"{project}: {md.GetString(type.Namespace)}.{md.GetString(type.Name)}.{md.GetString(method.Name)}");
                }
            }
        }

        Assert.True(imports.Count == 0, string.Join("\n", imports));
    }

    [Fact]
    public void No_project_under_src_allows_unsafe_code_and_no_source_declares_imports_or_unsafe()
    {
        var unsafeProjects = SrcProjects
            .Where(p => XDocument.Load(Path.Combine(Repository.Root, Repository.ProjectFiles[p])).Descendants("AllowUnsafeBlocks")
                .Any(e => string.Equals(e.Value.Trim(), "true", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        Assert.True(unsafeProjects.Count == 0, string.Join("\n", unsafeProjects));

        var offenders = Repository.SourceFiles("src")
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && Forbidden().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(Repository.Root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [GeneratedRegex(@"\[(LibraryImport|DllImport)\b|\bunsafe\b|\bfixed\s*\(|\bextern\s+static\b|\bstatic\s+extern\b")]
    private static partial Regex Forbidden();
}
