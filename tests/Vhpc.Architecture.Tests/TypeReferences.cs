using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Vhpc.Architecture.Tests;

/// <summary>
/// Which types each type of an assembly uses, read from its metadata: base types, interfaces, fields,
/// signatures, attributes, and every type, method and field token in its method bodies (so a use
/// without a using directive, such as a type of an enclosing namespace, counts too). Nested and
/// compiler-generated types count as their outermost declaring type.
/// </summary>
internal static class TypeReferences
{
    /// <summary>(user type, used type) full names, both "Namespace.Type".</summary>
    public static IReadOnlyList<(string User, string Used)> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var provider = new NameProvider(md);
        var edges = new List<(string, string)>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var user = provider.GetTypeFromDefinition(md, handle, 0);
            void Add(string? used)
            {
                if (used is not null && used != user)
                {
                    edges.Add((user, used));
                }
            }

            if (!type.BaseType.IsNil)
            {
                Add(provider.Resolve(type.BaseType));
            }

            foreach (var i in type.GetInterfaceImplementations())
            {
                Add(provider.Resolve(md.GetInterfaceImplementation(i).Interface));
            }

            foreach (var a in type.GetCustomAttributes())
            {
                Add(provider.AttributeType(a));
            }

            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                foreach (var used in field.DecodeSignature(provider, null).Split('|'))
                {
                    Add(used);
                }
            }

            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var signature = method.DecodeSignature(provider, null);
                foreach (var used in signature.ParameterTypes.Append(signature.ReturnType).SelectMany(t => t.Split('|')))
                {
                    Add(used);
                }

                foreach (var a in method.GetCustomAttributes())
                {
                    Add(provider.AttributeType(a));
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                    {
                        foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
                        {
                            foreach (var used in local.Split('|'))
                            {
                                Add(used);
                            }
                        }
                    }

                    foreach (var token in IlTokens(body.GetILReader()))
                    {
                        foreach (var used in provider.ResolveToken(token))
                        {
                            Add(used);
                        }
                    }
                }
            }
        }

        return edges.Where(e => e.Item2.Length > 0).Distinct().ToList();
    }

    /// <summary>The metadata tokens in a method body's IL (operands of call, newobj, ldfld, box, ldtoken ...).</summary>
    private static IEnumerable<int> IlTokens(BlobReader il)
    {
        var tokens = new List<int>();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            switch (code)
            {
                case 0x27 or 0x28 or 0x29 or 0x6F or 0x70 or 0x71 or 0x73 or 0x74 or 0x75 or 0x79 or 0x7B or 0x7C or 0x7D or 0x7E or 0x7F
                    or 0x80 or 0x81 or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0
                    or 0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C:
                    tokens.Add(il.ReadInt32());
                    break;
                case 0x72 or 0x20 or 0x22 or (>= 0x38 and <= 0x44) or 0xDD:
                    il.Offset += 4;
                    break;
                case 0x21 or 0x23:
                    il.Offset += 8;
                    break;
                case 0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 or 0x1F or (>= 0x2B and <= 0x37) or 0xDE or 0xFE12 or 0xFE19:
                    il.Offset += 1;
                    break;
                case >= 0xFE09 and <= 0xFE0E:
                    il.Offset += 2;
                    break;
                case 0x45:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
            }
        }

        return tokens;
    }

    /// <summary>Type names as "Namespace.Type" of the outermost type; several joined by '|' (generic instances).</summary>
    private sealed class NameProvider(MetadataReader md) : ISignatureTypeProvider<string, object?>, ICustomAttributeTypeProvider<string>
    {
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                type = reader.GetTypeDefinition(type.GetDeclaringType());
            }

            return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            return $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
            string.Join('|', typeArguments.Prepend(genericType));

        public string GetArrayType(string elementType, ArrayShape shape) => elementType;

        public string GetByReferenceType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType;

        public string GetSZArrayType(string elementType) => elementType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        public string GetFunctionPointerType(MethodSignature<string> signature) => string.Join('|', signature.ParameterTypes.Append(signature.ReturnType));

        public string GetGenericMethodParameter(object? genericContext, int index) => "";

        public string GetGenericTypeParameter(object? genericContext, int index) => "";

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => "";


        public string GetSystemType() => "";

        public bool IsSystemType(string type) => false;

        public string GetTypeFromSerializedName(string name) => "";

        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;

        public string Resolve(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => GetTypeFromReference(md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => GetTypeFromSpecification(md, null, (TypeSpecificationHandle)handle, 0),
            _ => "",
        };

        public string AttributeType(CustomAttributeHandle handle)
        {
            var constructor = md.GetCustomAttribute(handle).Constructor;
            return constructor.Kind == HandleKind.MethodDefinition
                ? GetTypeFromDefinition(md, md.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType(), 0)
                : Resolve(md.GetMemberReference((MemberReferenceHandle)constructor).Parent);
        }

        public IEnumerable<string> ResolveToken(int token)
        {
            var handle = MetadataTokens.EntityHandle(token);
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition or HandleKind.TypeReference or HandleKind.TypeSpecification:
                    return Resolve(handle).Split('|');
                case HandleKind.MethodDefinition:
                    return [GetTypeFromDefinition(md, md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), 0)];
                case HandleKind.FieldDefinition:
                    return [GetTypeFromDefinition(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), 0)];
                case HandleKind.MemberReference:
                    var parent = md.GetMemberReference((MemberReferenceHandle)handle).Parent;
                    return parent.Kind == HandleKind.MethodDefinition
                        ? [GetTypeFromDefinition(md, md.GetMethodDefinition((MethodDefinitionHandle)parent).GetDeclaringType(), 0)]
                        : Resolve(parent).Split('|');
                case HandleKind.MethodSpecification:
                    var specification = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return ResolveToken(MetadataTokens.GetToken(specification.Method))
                        .Concat(specification.DecodeSignature(this, null).SelectMany(t => t.Split('|')));
                default:
                    return [];
            }
        }
    }
}
