# git.sh -- git in a temporary repository: init, add, commit (fixed dates
# and identity: the commit ids are the same every run), log, diff, branch,
# status, show; git runs its own children (git-* builtins re-exec'ed).
# FERRY_LOG=unimpl (ignored natively) must print nothing.
export FERRY_LOG=unimpl HOME=$PWD GIT_CONFIG_NOSYSTEM=1 GIT_PAGER=cat PAGER=cat
export GIT_AUTHOR_NAME=Ferry GIT_AUTHOR_EMAIL=ferry@example.org
export GIT_COMMITTER_NAME=Ferry GIT_COMMITTER_EMAIL=ferry@example.org
export GIT_AUTHOR_DATE='2026-01-02T03:04:05Z' GIT_COMMITTER_DATE='2026-01-02T03:04:05Z'
$RUN /usr/bin/git init -q -b main repo && cd repo || exit 1
printf 'one\ntwo\n' > a.txt
$RUN /usr/bin/git add a.txt
$RUN /usr/bin/git commit -q -m "first commit"
printf 'one\n2\nthree\n' > a.txt
echo new > b.txt
$RUN /usr/bin/git status --short
$RUN /usr/bin/git diff
$RUN /usr/bin/git add -A
$RUN /usr/bin/git commit -q -m "second commit"
$RUN /usr/bin/git log --stat
$RUN /usr/bin/git branch topic
$RUN /usr/bin/git checkout -q topic
echo topic >> b.txt
$RUN /usr/bin/git commit -q -am "on topic"
$RUN /usr/bin/git checkout -q main
$RUN /usr/bin/git merge -q --no-edit topic
$RUN /usr/bin/git log --oneline --graph --all
$RUN /usr/bin/git show --format='%H %s' HEAD~1 -- a.txt
$RUN /usr/bin/git rev-parse HEAD HEAD^{tree}
$RUN /usr/bin/git cat-file -p HEAD
$RUN /usr/bin/git fsck --no-progress 2>&1; echo "fsck: $?"
