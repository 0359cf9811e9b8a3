using System.Reflection;
using System.Runtime.CompilerServices;
using Vhpc.Libvirt.Interop;
using Vhpc.Testing;

namespace Vhpc.Libvirt.Tests;

[Tier(TestTier.Unit)]
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Binding = typeof(Connection).Assembly;

    [Fact]
    public void Nothing_in_Interop_or_Handles_is_public()
    {
        var leaked = Binding.GetTypes()
            .Where(t => t.Namespace is "Vhpc.Libvirt.Interop" or "Vhpc.Libvirt.Handles")
            .Where(t => t.IsVisible)
            .Select(t => t.FullName!)
            .ToArray();
        Assert.Empty(leaked);
        Assert.Contains(Binding.GetTypes(), t => t.Namespace == "Vhpc.Libvirt.Handles");
    }

    [Fact]
    public void No_public_member_exposes_a_pointer_or_handle()
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
                    if (t.IsPointer || t.IsFunctionPointer || bare == typeof(IntPtr) || bare == typeof(UIntPtr)
                        || typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(bare))
                    {
                        offenders.Add($"{type.Name}.{member.Name}: {t}");
                    }
                }
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public void Native_struct_sizes_match_libvirts_layouts()
    {
        Assert.Equal(80, Unsafe.SizeOf<ErrorNative>());
        Assert.Equal(72, Unsafe.SizeOf<DhcpLeaseNative>());
        Assert.Equal(32, Unsafe.SizeOf<DomainInterfaceNative>());
        Assert.Equal(24, Unsafe.SizeOf<DomainIPAddressNative>());
        Assert.Equal(24, Unsafe.SizeOf<StorageVolumeInfoNative>());
    }

    [Fact]
    public void Every_import_is_declared_with_LibraryImport()
    {
        var imports = typeof(NativeMethods).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name.StartsWith("vir", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(imports);
        // (The generator itself emits DllImport for blittable signatures, so only the declaration is checked.)
        Assert.All(imports, m => Assert.NotNull(m.GetCustomAttribute<System.Runtime.InteropServices.LibraryImportAttribute>()));
    }
}
