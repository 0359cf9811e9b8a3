namespace Vhpc.Libvirt.Interop;

/// <summary>
/// Raw imports from libvirt.so.0 with libvirt's C names, split by area into partial files.
/// Ownership of returned strings is in the signature: <c>string</c> return values are the caller's
/// to free (the generated marshaller frees them with C free(), which is what libvirt expects, since
/// virFree is not exported); <c>byte*</c> return values are libvirt's and are never freed here.
/// </summary>
internal static unsafe partial class NativeMethods
{
    // The soname, not libvirt.so: that symlink only exists with libvirt-dev installed.
    internal const string Library = "libvirt.so.0";

    /// <summary>VIR_UUID_STRING_BUFLEN: 36 characters and the terminating NUL.</summary>
    internal const int UuidStringBufferLength = 37;
}
