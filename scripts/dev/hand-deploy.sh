#!/usr/bin/env bash
# The plain approach people script by hand, kept as the bench's baseline: AWS CLI calls, docker push, then a
# fixed 10 s sleep between polls of the service state (not of the deployment it created).
# usage: hand-deploy.sh ENDPOINT SERVICE REPOSITORY TAG [LOCAL_IMAGE]   (no LOCAL_IMAGE: redeploy TAG, a rollback)
set -euo pipefail
endpoint=$1 service=$2 repository=$3 tag=$4 local_image=${5:-}
aws=(/usr/bin/aws --endpoint-url "$endpoint" --region eu-west-1 --output text)

uri=$("${aws[@]}" ecr describe-repositories --repository-names "$repository" --query 'repositories[0].repositoryUri')
if [ -n "$local_image" ]; then
  DOCKER_CONFIG=$(mktemp -d)
  export DOCKER_CONFIG
  "${aws[@]}" ecr get-login-password | docker login --username AWS --password-stdin "${uri%%/*}" >/dev/null
  docker tag "$local_image" "$uri:$tag"
  docker push -q "$uri:$tag" >/dev/null
  docker logout "${uri%%/*}" >/dev/null
  rm -rf "$DOCKER_CONFIG"
fi

containers=$(printf '{"app":{"image":"%s:%s","environment":{"AUTHORIZER_URL":"http://127.0.0.1:9/authorize"},"ports":{"3000":"HTTP"}}}' "$uri" "$tag")
"${aws[@]}" lightsail create-container-service-deployment --service-name "$service" \
  --containers "$containers" \
  --public-endpoint '{"containerName":"app","containerPort":3000,"healthCheck":{"path":"/health"}}' >/dev/null

# Note what this cannot tell: after a FAILED deployment the service also returns to RUNNING.
until [ "$("${aws[@]}" lightsail get-container-services --service-name "$service" \
  --query 'containerServices[0].state')" = RUNNING ]; do
  sleep 10
done
echo "deployed $uri:$tag"
