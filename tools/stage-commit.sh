#!/usr/bin/env bash
# Lead's helper: commit the tree minus files still being written (listed in $EXCLUDE, one
# glob per line), after regenerating docs and running the tests on the staged copy.
set -eu
msg="$1"
stage=/tmp/stage
rm -rf "$stage" /tmp/stagelib && mkdir -p "$stage" /tmp/stagelib
cd /work/main
tar --exclude=.git --exclude='*.o' --exclude='*.so' --exclude=build -cf - . | tar -xf - -C "$stage"
cd "$stage"
if [ -n "${EXCLUDE:-}" ]; then
  while read -r pat; do [ -n "$pat" ] && rm -rf $pat; done <<< "$EXCLUDE"
fi
if [ -n "${RESTORE:-}" ]; then  # files to keep as committed (someone is still changing them)
  for f in $RESTORE; do git --git-dir=/work/main/.git show HEAD:"$f" > "$f"; done
fi
mkdir -p man
Rscript -e 'roxygen2::roxygenise(roclets=c("collate","rd","namespace"), load_code="source")' >/dev/null 2>&1
python3 - <<'PY'
s = open('Makefile').read()
i = s.find('# The benchmark against PyTorch')
if i > 0 and not __import__('os').path.isdir('bench'):
    open('Makefile', 'w').write(s[:i].rstrip() + '\n')
PY
./cleanup
R CMD INSTALL -l /tmp/stagelib . > /tmp/stage-inst.log 2>&1 || { tail -20 /tmp/stage-inst.log; exit 1; }
R_LIBS=/tmp/stagelib Rscript tools/run-tests.R > /tmp/stage-tests.log 2>&1 || { grep -A8 "Failure\|Error (" /tmp/stage-tests.log | head -60; tail -2 /tmp/stage-tests.log; exit 1; }
tail -1 /tmp/stage-tests.log
make test-c warnings >/tmp/stage-c.log 2>&1 || { tail -20 /tmp/stage-c.log; exit 1; }
./cleanup; rm -rf build
git --git-dir=/work/main/.git --work-tree="$stage" add -A
git --git-dir=/work/main/.git --work-tree="$stage" commit -q -m "$msg"
git --git-dir=/work/main/.git log --oneline | head -1
