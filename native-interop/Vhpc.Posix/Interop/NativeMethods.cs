using System.Runtime.InteropServices;

namespace Vhpc.Posix.Interop;

/// <summary>
/// The raw glibc imports, by area in NativeMethods.*.cs, with the C names as entry points. Internal:
/// the public classes of this assembly wrap them so that no caller sees a pointer.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "geteuid")]
    internal static partial uint geteuid();

    [LibraryImport(Library, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chown(string path, uint owner, uint group);

    [LibraryImport(Library, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    // fcntl is variadic; its third argument is an int here, which every Linux ABI passes like a fixed int.
    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl(SafeHandle fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statx(SafeHandle directoryFd, string path, int flags, uint mask, byte* buffer);

    // open is variadic (the mode); without O_CREAT it is never read, so the fixed two-argument form is exact.
    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "sendmsg", SetLastError = true)]
    internal static partial nint sendmsg(int socket, MessageHeader* message, int flags);
}
