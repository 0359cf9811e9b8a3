#!/usr/bin/python
# -*- coding: utf-8 -*-
# vhpc's apply-time file writer: every configuration file of a node in ONE module run. On an
# emulated (TCG) guest each module run costs seconds (a Python start and the module's imports), and
# ansible.builtin.copy/template take two or three runs per file (stat, transfer, copy); this takes
# one for all of them (tests/bench/task-cost.sh measures both).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vhpc_files
short_description: Write a set of files, each only when its content, owner, group or mode differs
description:
  - Each file is written whole under a temporary name in its directory and renamed into place, so a
    reader never sees half a file. Ownership and mode are set on the temporary file before the
    rename, so a secret is never readable by others, not even for a moment.
  - Content is given base64-encoded only, and never returned or logged (no_log): a module's
    arguments are logged on the node (its journal) with no_log values masked, and that masking
    misses multi-line text, which base64 never is.
options:
  files:
    description: The files. Their directories must exist.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      content_base64:
        description: The content, base64-encoded (b64encode of a text).
        type: str
        required: true
      owner:
        type: str
        default: root
      group:
        type: str
        default: root
      mode:
        description: Octal mode as a string, e.g. "0644".
        type: str
        required: true
      on_change:
        description: Words returned in on_change when this file changed (e.g. restart:munge.service).
        type: list
        elements: str
        default: []
'''

RETURN = r'''
changed_paths:
  description: The files that were written or had their owner, group or mode corrected.
  type: list
  elements: str
on_change:
  description: The on_change words of the changed files, each once, in the order given.
  type: list
  elements: str
'''

import base64
import binascii
import grp
import os
import pwd
import tempfile

from ansible.module_utils.basic import AnsibleModule


def _wanted(module, spec):
    path = spec['path']
    if not os.path.isabs(path):
        module.fail_json(msg='%s: the path must be absolute' % path)
    try:
        data = base64.b64decode(spec['content_base64'], validate=True)
    except (binascii.Error, ValueError):
        module.fail_json(msg='%s: content_base64 is not base64' % path)
    try:
        uid = pwd.getpwnam(spec['owner']).pw_uid
    except KeyError:
        module.fail_json(msg='%s: no user %s on this node' % (path, spec['owner']))
    try:
        gid = grp.getgrnam(spec['group']).gr_gid
    except KeyError:
        module.fail_json(msg='%s: no group %s on this node' % (path, spec['group']))
    try:
        mode = int(spec['mode'], 8)
    except (TypeError, ValueError):
        mode = -1
    if mode < 0 or mode > 0o7777:
        module.fail_json(msg='%s: mode %r is not an octal mode like 0644' % (path, spec['mode']))
    return path, data, uid, gid, mode


def _current(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, None
    if not os.path.isfile(path) or os.path.islink(path):
        return st, None
    with open(path, 'rb') as f:
        return st, f.read()


def _write(path, data, uid, gid, mode):
    directory = os.path.dirname(path)
    fd, temporary = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.vhpc', dir=directory)
    try:
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        with os.fdopen(fd, 'wb') as f:
            fd = None
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temporary, path)
        temporary = None
    finally:
        if fd is not None:
            os.close(fd)
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', required=True, options=dict(
                path=dict(type='path', required=True),
                content_base64=dict(type='str', no_log=True, required=True),
                owner=dict(type='str', default='root'),
                group=dict(type='str', default='root'),
                mode=dict(type='str', required=True),
                on_change=dict(type='list', elements='str', default=[]),
            )),
        ),
        supports_check_mode=True,
    )
    changed_paths = []
    on_change = []
    for spec in module.params['files']:
        path, data, uid, gid, mode = _wanted(module, spec)
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            module.fail_json(msg='%s: directory %s does not exist' % (path, directory))
        st, current = _current(path)
        same_content = current is not None and current == data
        same_meta = st is not None and st.st_uid == uid and st.st_gid == gid and (st.st_mode & 0o7777) == mode
        if same_content and same_meta:
            continue
        if not module.check_mode:
            try:
                if same_content:
                    os.chown(path, uid, gid)
                    os.chmod(path, mode)
                else:
                    _write(path, data, uid, gid, mode)
            except OSError as e:
                module.fail_json(msg='%s: %s' % (path, e.strerror or e))
        changed_paths.append(path)
        for word in spec['on_change']:
            if word not in on_change:
                on_change.append(word)
    module.exit_json(changed=bool(changed_paths), changed_paths=changed_paths, on_change=on_change)


if __name__ == '__main__':
    main()
