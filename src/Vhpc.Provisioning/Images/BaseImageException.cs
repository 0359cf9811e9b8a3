namespace Vhpc.Provisioning.Images;

/// <summary>A base image cannot be provided; the message says which image and why.</summary>
internal sealed class BaseImageException : Exception
{
    public BaseImageException()
    {
    }

    public BaseImageException(string message)
        : base(message)
    {
    }

    public BaseImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
