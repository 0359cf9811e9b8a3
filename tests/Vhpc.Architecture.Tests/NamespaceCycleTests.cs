using Vhpc.Testing;

namespace Vhpc.Architecture.Tests;

/// <summary>
/// Namespaces of the product form no cycle: what a type uses (read from the compiled assemblies,
/// method bodies included) never leads back to its own namespace. Edges between the assemblies are
/// counted too, so a namespace split over two assemblies (Vhpc.Engine) cannot hide one. (Constants
/// are inlined by the compiler and leave no trace in metadata, so a cycle made only of constants is
/// not seen.)
/// </summary>
[Tier(TestTier.Unit)]
public sealed class NamespaceCycleTests
{
    /// <summary>
    /// The libvirt binding's internals are one unit: each SafeHandle frees itself through its import in
    /// Interop, the imports take and return the handles, and the public types use both (LibGit2Sharp's
    /// Core and Core.Handles are the same). Nothing outside these three may join that cycle.
    /// </summary>
    private static readonly HashSet<string> LibvirtBinding = new(["Vhpc.Libvirt", "Vhpc.Libvirt.Interop", "Vhpc.Libvirt.Handles"], StringComparer.Ordinal);

    [Fact]
    public void No_namespace_of_the_product_depends_on_itself_through_another()
    {
        var edges = Repository.ProjectFiles.Keys
            .SelectMany(p => TypeReferences.Read(Repository.AssemblyPath(p)))
            .Select(e => (User: e.User, Used: e.Used, From: NamespaceOf(e.User), To: NamespaceOf(e.Used)))
            .Where(e => e.From != e.To && e.From.StartsWith("Vhpc", StringComparison.Ordinal) && e.To.StartsWith("Vhpc", StringComparison.Ordinal))
            .ToList();
        var graph = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        var cycles = StronglyConnected(graph).Where(c => c.Count > 1 && !c.All(LibvirtBinding.Contains)).ToList();

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(c =>
            $"cycle {string.Join(" <-> ", c)}: " + string.Join("; ", edges
                .Where(e => c.Contains(e.From) && c.Contains(e.To))
                .GroupBy(e => (e.From, e.To))
                .Select(g => $"{g.First().User} uses {g.First().Used}")))));
    }

    private static string NamespaceOf(string type) => type.LastIndexOf('.') is var dot and > 0 ? type[..dot] : "";

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        var counter = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], seen);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                result.Add(component);
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return result;
    }
}
