using System.Reflection;
using System.Runtime.InteropServices;
using Vhpc.Posix.Interop;
using Vhpc.Testing;

namespace Vhpc.Posix.Tests;

/// <summary>
/// The same rules as the libvirt binding's: the raw imports stay internal, no public member shows a
/// pointer, and every import is a source-generated LibraryImport. (Descriptors are SafeHandles here:
/// that is how .NET owns a file descriptor, and a caller must be able to pass and dispose one.)
/// </summary>
[Tier(TestTier.Unit)]
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Binding = typeof(SealedMemoryFile).Assembly;

    [Fact]
    public void Nothing_in_Interop_is_public()
    {
        var leaked = Binding.GetTypes()
            .Where(t => t.Namespace == "Vhpc.Posix.Interop")
            .Where(t => t.IsVisible)
            .Select(t => t.FullName!)
            .ToArray();
        Assert.Empty(leaked);
        Assert.Contains(Binding.GetTypes(), t => t.Namespace == "Vhpc.Posix.Interop");
    }

    [Fact]
    public void No_public_member_exposes_a_pointer()
    {
        var offenders = new List<string>();
        foreach (var type in Binding.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var types = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    _ => [],
                };
                foreach (var t in types)
                {
                    var bare = t.HasElementType ? t.GetElementType()! : t;
                    if (t.IsPointer || t.IsFunctionPointer || bare == typeof(IntPtr) || bare == typeof(UIntPtr))
                    {
                        offenders.Add($"{type.Name}.{member.Name}: {t}");
                    }
                }
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_import_is_declared_with_LibraryImport_under_its_libc_name()
    {
        var imports = typeof(NativeMethods).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .ToArray();
        Assert.Equal(["chown", "fcntl", "geteuid", "memfd_create", "open", "sendmsg", "statx", "statx"], imports.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(imports, m => Assert.Equal(m.Name, m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint));
    }

    [Fact]
    public void The_message_header_has_glibcs_layout()
    {
        Assert.Equal(IntPtr.Size == 8 ? 56 : 28, System.Runtime.CompilerServices.Unsafe.SizeOf<MessageHeader>());
    }
}
