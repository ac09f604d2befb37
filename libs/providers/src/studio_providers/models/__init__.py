"""Small CPU models shipped with the code (never downloaded at run time), each with a classical
fall-back: person and subject segmentation, faces, text embeddings. See ``store`` for where the
files come from and files/NOTICE.md for their licences."""
