using System.Runtime.InteropServices;
using Vhpc.Libvirt.Handles;
using Vhpc.Libvirt.Interop;

namespace Vhpc.Libvirt;

/// <summary>
/// The one place that turns a failed libvirt call into a <see cref="LibvirtException"/>. libvirt keeps
/// the last error per OS thread and resets it on every API entry, so these run synchronously right
/// after the failing call, on the same thread, before anything else touches libvirt (never after an await).
/// </summary>
internal static unsafe class LibvirtError
{
    /// <summary>Reads the calling thread's last libvirt error.</summary>
    internal static LibvirtException Last(string operation)
    {
        var error = NativeMethods.virGetLastError();
        if (error is null)
        {
            return new LibvirtException(ErrorCode.InternalError, ErrorDomain.None, ErrorLevel.Error,
                $"{operation} failed without reporting an error", operation);
        }

        // The message belongs to libvirt's thread-local error: copy it, never free it.
        var message = Marshal.PtrToStringUTF8((nint)error->Message) ?? $"{operation} failed";
        return new LibvirtException((ErrorCode)error->Code, (ErrorDomain)error->Domain, (ErrorLevel)error->Level,
            message, operation);
    }

    /// <summary>Throws when a call that returns an int signalled failure (-1).</summary>
    internal static int Check(int result, string operation) =>
        result >= 0 ? result : throw Last(operation);

    /// <summary>Throws when a call that returns a caller-freed string returned NULL.</summary>
    internal static string Check(string? result, string operation) =>
        result ?? throw Last(operation);

    /// <summary>Throws when a call that returns an object returned NULL.</summary>
    internal static T Check<T>(T handle, string operation)
        where T : LibvirtHandle
    {
        if (!handle.IsInvalid)
        {
            return handle;
        }

        var error = Last(operation);
        handle.Dispose();
        throw error;
    }

    /// <summary>For lookups: null when libvirt says the object does not exist, an exception otherwise.</summary>
    internal static T? CheckOrNullIfNotFound<T>(T handle, string operation)
        where T : LibvirtHandle
    {
        if (!handle.IsInvalid)
        {
            return handle;
        }

        var error = Last(operation);
        handle.Dispose();
        return error.IsNotFound ? null : throw error;
    }
}
